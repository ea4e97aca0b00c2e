#!/usr/bin/env python3
"""almanac exec connector: appointments in a JSON REST API, read and written.

A reference plugin, written to be copied: Python 3.9+ standard library only. It speaks almanac's
connector protocol (docs/CONNECTOR-PROTOCOL.md): one JSON object per line on stdin (requests)
and stdout (replies); stderr goes to the profile's log. The API it talks to is described in
README.md ("The API") and implemented by server.py next to it.

- read: `GET /items?start_min&start_max` page by page (a complete listing of the window), or,
  from a cursor, `GET /items?updated_since=CURSOR` (a delta with tombstones). The cursor is the
  listing's `as_of`.
- write: create `PUT /items/ID` with `If-None-Match: *` (the engine's id is the item's id, so a
  create retried after a crash finds what it made), update `PUT` with `If-Match: ETAG`, delete
  `DELETE` with `If-Match`; 412 is a conflict, 404 is gone, 429/5xx a retryable failure.
- lookup: `GET /items/ID` for each key.
"""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request

NAME, VERSION = "rest", "1.0.0"
SETTINGS = {
    "type": "object",
    "properties": {
        "base_url": {"type": "string", "description": "the API's root, e.g. https://api.example.org/v1"},
        "token": {"type": "string", "secret": True, "description": "bearer token sent as Authorization"},
        "page_size": {"type": "integer", "description": "items per listing page (default 100)"},
        "timeout_seconds": {"type": "integer", "description": "how long one HTTP request may take (default 30)"},
    },
    "required": ["base_url"],
    "additionalProperties": False,
}


class Failure(Exception):
    """A request that failed as a whole: answered with an `error` line."""

    def __init__(self, code, message, retryable=False):
        super().__init__(message)
        self.code, self.message, self.retryable = code, message, retryable


def log(message):
    print(message, file=sys.stderr, flush=True)


def send(obj):
    sys.stdout.write(json.dumps({"v": 1, **obj}, ensure_ascii=False, separators=(",", ":")) + "\n")
    sys.stdout.flush()


class API:
    """HTTP calls to the configured API. `call` returns (status, body, etag) for any HTTP answer
    and raises Failure only when no answer came (retryable)."""

    def __init__(self):
        self.base = None
        self.token = None
        self.page_size = 100
        self.timeout = 30

    def configure(self, settings, secrets):
        if not settings.get("base_url"):
            raise Failure("config.missing_key", "the connection has no `base_url`: give the API's root URL")
        self.base = settings["base_url"].rstrip("/")
        self.token = secrets.get("token")
        self.page_size = int(settings.get("page_size", 100))
        self.timeout = int(settings.get("timeout_seconds", 30))

    def call(self, method, path, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, self.decode(response.read()), response.headers.get("ETag")
        except urllib.error.HTTPError as e:
            return e.code, self.decode(e.read()), e.headers.get("ETag")
        except (urllib.error.URLError, OSError) as e:
            raise Failure("rest.unreachable", f"cannot reach {self.base}: {getattr(e, 'reason', e)}; is the API up?",
                          retryable=True)

    @staticmethod
    def decode(data):
        try:
            return json.loads(data) if data else {}
        except ValueError:
            return {}

    def expect_ok(self, status, body, what):
        """Raises Failure for a non-2xx answer to a listing or lookup (nothing of it counts)."""
        if 200 <= status < 300:
            return
        if status in (401, 403):
            raise Failure("rest.unauthorized", f"{what}: HTTP {status}; check the `token` secret")
        raise Failure("rest.http_error", f"{what}: HTTP {status} {body.get('error', '')}".rstrip(),
                      retryable=status == 429 or status >= 500)


def item_line(item):
    """The protocol's `item` (or a `problem` for an item without a usable start)."""
    event = item.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("start"), dict):
        return {"type": "problem", "key": item["id"], "field": "start", "reason": "the item has no start"}
    return {"type": "item", "key": item["id"], "version": item.get("etag"), "event": event}


class Connector:
    def __init__(self):
        self.api = API()

    def configure(self, request):
        self.api.configure(request.get("settings", {}), request.get("secrets", {}))
        return [{"type": "configured"}]

    def test_connection(self, request):
        try:
            status, body, _ = self.api.call("GET", "/items?limit=1")
        except Failure as e:
            return [{"type": "test_result", "steps": [{"name": "reach the API", "ok": False, "detail": e.message}]}]
        steps = [{"name": "reach the API", "ok": True, "detail": f"{self.api.base} answered HTTP {status}"}]
        if status in (401, 403):
            steps.append({"name": "authenticate", "ok": False, "detail": f"HTTP {status}: check the `token` secret"})
        elif status == 200:
            steps.append({"name": "list items", "ok": True, "detail": "GET /items works"})
        else:
            steps.append({"name": "list items", "ok": False, "detail": f"GET /items answered HTTP {status}"})
        return [{"type": "test_result", "steps": steps}]

    def read(self, request):
        # The continuation carries the API's page token and the listing's as_of snapshot.
        state = json.loads(request["continuation"]) if request.get("continuation") else {}
        query = {"limit": self.api.page_size}
        if request.get("cursor"):
            query["updated_since"] = request["cursor"]
        else:
            query["start_min"], query["start_max"] = request["window"]["start"], request["window"]["end"]
        query.update(state)
        status, body, _ = self.api.call("GET", "/items?" + urllib.parse.urlencode(query))
        self.api.expect_ok(status, body, "listing items")
        out = []
        for item in body.get("items", []):
            out.append({"type": "deleted", "key": item["id"]} if item.get("deleted") else item_line(item))
        more = body.get("next_page_token")
        continuation = json.dumps({"page_token": more, "as_of": body["as_of"]}) if more else None
        out.append({"type": "page_end", "coverage": "delta" if request.get("cursor") else "complete",
                    "continuation": continuation, "cursor": None if more else body["as_of"]})
        return out

    def write(self, request):
        return [{"type": "outcome", "index": i, **self.apply(change)} for i, change in enumerate(request["changes"])]

    def apply(self, change):
        """One change's outcome (without type and index)."""
        op = change["op"]
        if op == "create":
            key, headers = change["id"], {"If-None-Match": "*"}
        elif op in ("update", "delete"):
            key, headers = change["key"], {"If-Match": change.get("if_version") or "*"}
        else:
            return {"result": "failed", "retryable": False, "reason": f"the rest connector cannot {op}"}
        path = "/items/" + urllib.parse.quote(key, safe="")
        try:
            if op == "delete":
                status, body, etag = self.api.call("DELETE", path, headers=headers)
            else:
                status, body, etag = self.api.call("PUT", path, {"event": change["event"]}, headers)
        except Failure as e:
            return {"result": "failed", "retryable": True, "reason": e.message}
        if 200 <= status < 300:
            return {"result": "written", "key": key, "version": etag}
        if status == 404:
            return {"result": "gone"}
        if status == 412:
            current = body.get("current")
            out = {"result": "conflict"}
            if current:
                out["current"] = {"key": current["id"], "version": current["etag"], "event": current["event"]}
            return out
        return {"result": "failed", "retryable": status == 429 or status >= 500,
                "reason": f"{op} {key}: HTTP {status} {body.get('error', '')}".rstrip()}

    def lookup(self, request):
        out = []
        for key in request.get("keys", []):
            status, body, _ = self.api.call("GET", "/items/" + urllib.parse.quote(key, safe=""))
            if status == 404:
                continue
            self.api.expect_ok(status, body, f"looking up {key}")
            out.append(item_line(body))
        return out + [{"type": "lookup_end"}]

    # Test support (capability `test`, used by `almanac connector-test`): server.py's admin API.
    def admin(self, method, path, body=None):
        status, answer, _ = self.api.call(method, "/_admin/" + path, body)
        if status != 200:
            raise Failure("test.unsupported", f"the API has no test endpoint /_admin/{path} (HTTP {status})")
        return answer

    def test_reset(self, request):
        self.admin("POST", "reset", {})
        return [{"type": "test_done"}]

    def test_seed(self, request):
        return [{"type": "test_seeded", "keys": self.admin("POST", "seed", {"events": request["events"]})["ids"]}]

    def test_seed_invalid(self, request):
        self.admin("POST", "seed_raw", {"id": "no-start", "event": {"title": "An item without a start"}})
        return [{"type": "test_seeded", "keys": ["no-start"]}]

    def test_dump(self, request):
        items = [item_line(i) for i in self.admin("GET", "dump")["items"]]
        return [i for i in items if i["type"] == "item"] + [{"type": "test_done"}]


HANDLED = {"configure", "test_connection", "read", "write", "lookup", "test_reset", "test_seed",
           "test_seed_invalid", "test_dump"}


def main():
    connector = Connector()
    send({"type": "hello", "protocol": 1, "name": NAME, "version": VERSION, "kinds": ["event"],
          "capabilities": ["read", "write", "delete", "change_feed", "lookup", "test"]})
    for line in sys.stdin:
        request = json.loads(line)
        kind, rid = request.get("type"), request.get("id")
        if kind == "spec":
            send({"type": "spec", "re": rid, "settings": SETTINGS})
            continue
        if kind == "shutdown":
            send({"type": "bye", "re": rid})
            return
        try:
            if kind not in HANDLED:
                raise Failure("protocol.unsupported", f"the rest connector does not handle {kind!r}")
            for reply in getattr(connector, kind)(request):
                send({**reply, "re": rid})
        except Failure as e:
            log(f"{kind} failed: {e.message}")
            send({"type": "error", "re": rid, "code": e.code, "message": e.message, "retryable": e.retryable})


if __name__ == "__main__":
    main()
