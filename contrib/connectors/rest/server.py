#!/usr/bin/env python3
"""A small JSON REST appointment store on loopback: the API the `rest` reference connector speaks.

Used by the connector's tests, and the contract a real API must meet for the connector to work
unchanged (README.md, "The API"). Python standard library only; everything is kept in memory.

    server.py [--port N] [--token T] [--port-file FILE]

Prints `listening on http://127.0.0.1:PORT` on stdout once it accepts connections (port 0, the
default, picks a free one; --port-file also writes the port to FILE). With --token every request
needs `Authorization: Bearer T`.

Items: {"id", "etag", "updated", "event"}; a deleted item stays as a tombstone
{"id", "etag", "updated", "deleted": true} so that `updated_since` listings report it.
  GET    /items?start_min=&start_max=&updated_since=&page_token=&limit=   list (see below)
  GET    /items/ID                      one live item, or 404
  PUT    /items/ID  {"event": {...}}    If-None-Match: * creates only (412 if it exists);
                                        If-Match: ETAG updates only (404 if missing, 412 if the
                                        etag is not current); neither: create or replace
  DELETE /items/ID                      optional If-Match; 204, 404 if missing, 412 on a stale etag
Test support (not part of the contract a real API must meet):
  POST /_admin/reset, POST /_admin/seed {"events": [...]} -> {"ids": [...]},
  POST /_admin/seed_raw {"id", "event"} (stores anything, even an invalid event), GET /_admin/dump
"""

import argparse
import datetime as dt
import json
import os
import socket
import sys
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def rfc3339(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.timezone.utc).replace(tzinfo=None)


def starts_at(event):
    start = event.get("start") or {}
    if "date_time" in start:
        return parse_time(start["date_time"])
    return dt.datetime.fromisoformat(start["date"])  # all-day: midnight UTC, for filtering only


class Store:
    """Items by id, tombstones included. `updated` stamps strictly increase, so a listing's
    `as_of` (the newest stamp when it started) is a cursor that misses nothing."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = {}
        self.last = dt.datetime(2000, 1, 1)
        self.counter = 0

    def stamp(self, item):
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        self.last = max(now, self.last + dt.timedelta(microseconds=1))
        self.counter += 1
        item["updated"] = rfc3339(self.last)
        item["etag"] = f'"{self.counter}"'
        return item

    def put(self, item_id, event):
        item = self.stamp({"id": item_id, "event": event})
        self.items[item_id] = item
        return item

    def live(self, item_id):
        item = self.items.get(item_id)
        return item if item and not item.get("deleted") else None


def valid(event):
    return isinstance(event, dict) and isinstance(event.get("start"), dict) and (
        "date_time" in event["start"] or "date" in event["start"])


class Handler(BaseHTTPRequestHandler):
    store: Store
    token: str | None
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Keep-alive requests would wait ~40 ms each for delayed ACKs with Nagle on.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):
        pass

    def reply(self, status, body=None, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length", 0))
        return json.loads(self.rfile.read(length) or b"{}")

    def authorized(self):
        if self.token is None or self.headers.get("Authorization") == f"Bearer {self.token}":
            return True
        self.reply(401, {"error": "missing or wrong bearer token"})
        return False

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        return url.path.rstrip("/").split("/")[1:], dict(urllib.parse.parse_qsl(url.query))

    def do_GET(self):
        if not self.authorized():
            return
        parts, query = self.route()
        with self.store.lock:
            if parts == ["items"]:
                return self.list(query)
            if len(parts) == 2 and parts[0] == "items":
                item = self.store.live(parts[1])
                return self.reply(200, item, {"ETag": item["etag"]}) if item else self.reply(404, {"error": "no item"})
            if parts == ["_admin", "dump"]:
                return self.reply(200, {"items": [i for i in self.store.items.values() if not i.get("deleted")]})
        self.reply(404, {"error": "no such resource"})

    def list(self, query):
        """Items ordered by id. Without updated_since: the live items whose start is in
        [start_min, start_max). With it: everything stamped after it, tombstones included, wherever
        it starts. Pages of `limit`; `next_page_token` while more follow; `as_of` is the cursor
        to pass as the next updated_since (give it back with page_token to keep one snapshot)."""
        limit = max(1, min(int(query.get("limit", 100)), 1000))
        as_of = query.get("as_of") or rfc3339(self.store.last)
        since = rfc3339(parse_time(query["updated_since"])) if query.get("updated_since") else None
        items = sorted(self.store.items.values(), key=lambda i: i["id"])
        if since:
            items = [i for i in items if since < i["updated"] <= as_of]
        else:
            low = parse_time(query["start_min"]) if "start_min" in query else None
            high = parse_time(query["start_max"]) if "start_max" in query else None
            items = [i for i in items if not i.get("deleted") and (
                not valid(i["event"]) or ((low is None or starts_at(i["event"]) >= low)
                                          and (high is None or starts_at(i["event"]) < high)))]
        after = query.get("page_token")
        if after:
            items = [i for i in items if i["id"] > after]
        page = items[:limit]
        token = page[-1]["id"] if len(items) > limit else None
        self.reply(200, {"items": page, "next_page_token": token, "as_of": as_of})

    def do_PUT(self):
        if not self.authorized():
            return
        parts, _ = self.route()
        if len(parts) != 2 or parts[0] != "items":
            return self.reply(404, {"error": "no such resource"})
        event = self.body().get("event")
        if not valid(event):
            return self.reply(400, {"error": "the event needs a start with date_time or date"})
        with self.store.lock:
            current = self.store.live(parts[1])
            if self.headers.get("If-None-Match") == "*" and current:
                return self.reply(412, {"error": "the item exists", "current": current})
            match = self.headers.get("If-Match")
            if match is not None and current is None:
                return self.reply(404, {"error": "no item"})
            if match not in (None, "*") and match != current["etag"]:
                return self.reply(412, {"error": "the item changed", "current": current})
            item = self.store.put(parts[1], event)
            self.reply(200 if current else 201, item, {"ETag": item["etag"]})

    def do_DELETE(self):
        if not self.authorized():
            return
        parts, _ = self.route()
        if len(parts) != 2 or parts[0] != "items":
            return self.reply(404, {"error": "no such resource"})
        with self.store.lock:
            current = self.store.live(parts[1])
            if current is None:
                return self.reply(404, {"error": "no item"})
            match = self.headers.get("If-Match")
            if match not in (None, "*") and match != current["etag"]:
                return self.reply(412, {"error": "the item changed", "current": current})
            self.store.items[parts[1]] = self.store.stamp({"id": parts[1], "deleted": True})
            self.reply(204)

    def do_POST(self):
        if not self.authorized():
            return
        parts, _ = self.route()
        with self.store.lock:
            if parts == ["_admin", "reset"]:
                self.store.items.clear()
                return self.reply(200, {})
            if parts == ["_admin", "seed"]:
                ids = [self.store.put(uuid.uuid4().hex, e)["id"] for e in self.body().get("events", [])]
                return self.reply(200, {"ids": ids})
            if parts == ["_admin", "seed_raw"]:
                body = self.body()
                return self.reply(200, self.store.put(body["id"], body.get("event")))
        self.reply(404, {"error": "no such resource"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token")
    parser.add_argument("--port-file")
    args = parser.parse_args()
    Handler.store, Handler.token = Store(), args.token
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
