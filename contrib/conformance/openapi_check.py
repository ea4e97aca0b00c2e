"""Checks the control API against its OpenAPI document: every documented operation is called on a
running daemon and each answer's status, content type and body must be what the document says.

    openapi_check.py DOC BASE_URL TOKEN_FILE PROFILE

DOC is docs/openapi.json; BASE_URL the daemon's TCP listener (http://127.0.0.1:PORT); TOKEN_FILE
holds an admin token (alone); PROFILE names a running profile whose worker can sync (a missing one is
`nosuch0`). Prints one JSON line per request:
{"id": "getProfile", "operation": "GET /v1/profiles/{name}", "request": "GET /v1/profiles/clinic",
 "status": 200, "served": true, "ok": true, "detail": "..."}
`served` is false when the daemon answered 404 `api.not_found` (no such endpoint or action): the
route is documented but this build does not have it. Exit status 0 when every answer conforms.
"""

import http.client
import json
import sys
import time
import urllib.parse

from jsonschema import Draft202012Validator

METHODS = ("get", "put", "post", "delete", "patch")


def main():
    doc_path, base, token_file, profile = sys.argv[1:5]
    raw = open(doc_path, "rb").read()
    doc = json.loads(raw)
    url = urllib.parse.urlsplit(base)
    token = open(token_file).read().strip()
    operations = {}
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                operations[item[method]["operationId"]] = (method.upper(), path, item[method])
    cases = plan(profile)
    missing = sorted(set(operations) - {c[0] for c in cases})
    failed = False
    for op_id in missing:
        method, template, _ = operations[op_id]
        report(op_id, f"{method} {template}", "", 0, False, False,
               "no case calls this operation: add one to openapi_check.py")
        failed = True
    for op_id, name, query, body, extra in cases:
        if extra and extra.startswith("wait:"):
            wait_state(url, token, profile, extra[5:].split(","))
        method, template, operation = operations[op_id]
        target = template.replace("{name}", urllib.parse.quote(name, safe=""))
        if query:
            target += "?" + urllib.parse.urlencode(query)
        status, ctype, data = call(url, token, method, target, body, stream=(extra == "stream"))
        served = not (status == 404 and code_of(data) == "api.not_found" and "no such" in message_of(data))
        problems = conform(doc, operation, status, ctype, data) if served else []
        if status in (401, 403):
            problems.append("the admin token was refused")
        if served and op_id == "openapi" and status == 200 and data != raw:
            problems.append("the served document is not byte-identical to " + doc_path)
        if served and op_id == "me" and status == 200 and json.loads(data) != {"role": "admin"}:
            problems.append("an admin token's role is not admin")
        failed |= bool(problems)
        report(op_id, f"{method} {template}", f"{method} {target}", status, served, not problems,
               "; ".join(problems))
    sys.exit(1 if failed else 0)


def plan(p):
    """(operationId, path name, query, body, extra) in order: reads, then actions, then the ones that
    stop or restart the profile. `extra`: `stream` reads only the first line; `wait:STATE,…` first
    waits until the profile is in one of those states."""
    return [
        ("health", "", None, None, None),
        ("metrics", "", None, None, None),
        ("quota", "", None, None, None),
        ("me", "", None, None, None),
        ("openapi", "", None, None, None),
        ("listProfiles", "", None, None, None),
        ("getProfile", p, None, None, None),
        ("getProfile", "nosuch0", None, None, None),
        ("profileLogs", p, {"tail": "5"}, None, None),
        ("profileLogs", p, {"since": "yesterday"}, None, None),
        ("profileLogs", p, {"tail": "3", "follow": "1"}, None, "stream"),
        ("profileLogs", "nosuch0", None, None, None),
        ("syncProfile", p, None, b'{"wait":true}', "wait:ready,idle"),
        ("syncProfile", p, None, b"{}", None),
        ("syncProfile", p, None, b'{"wait":', None),
        ("syncProfile", "nosuch0", None, b"", None),
        ("profileRuns", p, {"limit": "5"}, None, "wait:ready,idle"),
        ("profileRuns", p, {"limit": "0"}, None, None),
        ("profileRuns", "nosuch0", None, None, None),
        ("profileConflicts", p, None, None, "wait:ready,idle"),
        ("profileConflicts", p, {"job": "nosuch"}, None, None),
        ("profileConflicts", "nosuch0", None, None, None),
        ("testConnection", p, None, None, "wait:ready,idle"),
        ("testConnection", "nosuch0", None, None, None),
        ("reload", "", None, None, None),
        ("listTemplates", "", None, None, None),
        ("getTemplate", "csv-google", None, None, None),
        ("getTemplate", "nosuch0", None, None, None),
        ("createProfile", "", None, json.dumps({"name": p, "template": "csv-google"}).encode(), None),
        ("createProfile", "", None, b'{"name":"x"}', None),
        ("putSchedule", p, None, b'{"every":"15m"}', None),
        ("putSchedule", "nosuch0", None, b'{"manual":true}', None),
        ("disconnectProfile", "nosuch0", None, None, None),
        ("deleteProfile", "nosuch0", None, None, None),
        ("disableProfile", p, None, None, "wait:ready,idle"),
        ("disableProfile", "nosuch0", None, None, None),
        ("restartProfile", p, None, None, "wait:disabled"),
        ("enableProfile", p, None, None, None),
        ("enableProfile", "nosuch0", None, None, None),
        ("restartProfile", p, None, None, "wait:ready,idle"),
        ("restartProfile", "nosuch0", None, None, None),
    ]


def call(url, token, method, target, body, stream=False):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10 if stream else 60)
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, target, body=body, headers=headers)
    resp = conn.getresponse()
    if stream and resp.status == 200:
        data = resp.fp.readline()
        conn.close()
    else:
        data = resp.read()
        conn.close()
    return resp.status, resp.getheader("Content-Type", ""), data


def wait_state(url, token, profile, states):
    deadline = time.monotonic() + 30
    while True:
        status, _, data = call(url, token, "GET", "/v1/profiles/" + profile, None)
        state = json.loads(data).get("state") if status == 200 else None
        if state in states:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{profile} is {state} after 30 s, not {' or '.join(states)}")
        time.sleep(0.1)


def conform(doc, operation, status, ctype, data):
    """The ways the answer differs from what `operation` documents."""
    responses = operation["responses"]
    answer = responses.get(str(status))
    if answer is None:
        return [f"status {status} is not documented (documented: {', '.join(sorted(responses))})"]
    if "$ref" in answer:
        answer = resolve(doc, answer["$ref"])
    content = answer.get("content", {})
    media = ctype.split(";")[0].strip()
    if media not in content:
        return [f"content type {ctype!r} is not documented for {status} (documented: {', '.join(content)})"]
    schema = dict(content[media].get("schema", {}))
    schema["components"] = doc["components"]
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    if media == "application/json":
        values = [data]
    elif media == "application/x-ndjson":
        values = [line for line in data.split(b"\n") if line]
        if not values:
            return ["an NDJSON answer without a line"]
    else:
        return []
    problems = []
    for value in values:
        try:
            instance = json.loads(value)
        except ValueError as e:
            problems.append(f"not JSON ({e}): {value[:200]!r}")
            continue
        for error in validator.iter_errors(instance):
            where = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{where or 'body'}: {error.message[:300]}")
    return problems


def resolve(doc, ref):
    node = doc
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def code_of(data):
    try:
        return json.loads(data).get("code")
    except (ValueError, AttributeError):
        return None


def message_of(data):
    try:
        return json.loads(data).get("message") or ""
    except (ValueError, AttributeError):
        return ""


def report(op_id, operation, request, status, served, ok, detail):
    line = {"id": op_id, "operation": operation, "request": request, "status": status, "served": served,
            "ok": ok, "detail": detail}
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
