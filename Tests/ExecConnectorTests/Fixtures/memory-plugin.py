#!/usr/bin/env python3
"""A connector-protocol plugin for almanac's tests: a store of events in a JSON file.

    memory-plugin.py STORE [--fault MODE] [--record FILE] [--name NAME] [--write-delay SECONDS] [--feed]
                     [--contacts [SHAPE]] [--late-creates WINDOW_S PER_CALL]

STORE holds {"next": N, "items": {key: {"version": "V", "event": EVENT}}} (or "contact": CONTACT
for a contacts job: with --contacts the hello declares kinds event and contact, and SHAPE, a JSON
object, its contact_shape; --late-creates declares late_creates in the hello). Every write request
received is appended to --record (one JSON line per change, before it is applied), so a test can
count what almanac sent; with --write-delay each change waits that long and is saved on its own (a
crash test kills almanac in the middle of a batch), and the plugin stops at once, mid-batch, when
almanac is gone. STORE.pid holds the process id. --fault (or a file STORE.fault holding the mode, read at each read)
breaks the protocol in one way, on a read:
exit-mid-read, garbage, hang, twice, huge, unknown-type, wrong-re, read-error (an error reply),
write-error, outcome-order; or bad-hello, slow-hello.
With --feed it has a change feed: items carry the store's "rev" of their last change, the cursor
is the store's rev, and a read with a cursor lists what changed after it. Every read's cursor is
appended to STORE.reads.
"""
import json
import os
import sys
import time

args = sys.argv[1:]
store_path = args[0]
cli_fault = fault = args[args.index("--fault") + 1] if "--fault" in args else None
record = args[args.index("--record") + 1] if "--record" in args else None
name = args[args.index("--name") + 1] if "--name" in args else "memory"
feed = "--feed" in args
contacts = "--contacts" in args
shape_arg = args[args.index("--contacts") + 1] if contacts and args.index("--contacts") + 1 < len(args) else None
shape = json.loads(shape_arg) if shape_arg and shape_arg.startswith("{") else None
write_delay = float(args[args.index("--write-delay") + 1]) if "--write-delay" in args else 0
parent = os.getppid()
with open(store_path + ".pid", "w") as f:
    f.write(str(os.getpid()))
out = sys.stdout


def send(obj):
    out.write(json.dumps(obj, separators=(",", ":")) + "\n")
    out.flush()


def load():
    try:
        with open(store_path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {"next": 1, "items": {}}


def save(data):
    tmp = store_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, store_path)


def bump(data):
    """The store's next rev (the change feed's position)."""
    data["rev"] = data.get("rev", 0) + 1
    return data["rev"]


def current_fault():
    """The mode in STORE.fault if the file exists, else --fault's."""
    try:
        with open(store_path + ".fault") as f:
            return f.read().strip()
    except FileNotFoundError:
        return cli_fault


def body(v):
    """The item member of a stored entry or a change: {"event": …} or {"contact": …}."""
    return {"contact": v["contact"]} if "contact" in v else {"event": v["event"]}


def start_of(event):
    s = event["start"]
    return s.get("date_time") or (s["date"] + "T00:00:00Z")


def in_window(v, window):
    # Contacts have no time: always listed. Compares RFC 3339 UTC strings; the tests write UTC times only.
    return "contact" in v or window["start"] <= start_of(v["event"]) < window["end"]


if fault == "slow-hello":
    time.sleep(30)
if fault == "bad-hello":
    send({"v": 1, "type": "hello", "protocol": 7, "name": name, "version": "0", "kinds": ["event"], "capabilities": []})
    sys.exit(0)
hello = {"v": 1, "type": "hello", "protocol": 1, "name": name, "version": "1.0.0", "kinds": ["event"],
         "capabilities": ["read", "write", "delete", "lookup", "test"] + (["change_feed"] if feed else [])}
if contacts:
    hello["kinds"] = ["event", "contact"]
if shape is not None:
    hello["contact_shape"] = shape
if "--late-creates" in args:
    i = args.index("--late-creates")
    hello["late_creates"] = {"window_s": float(args[i + 1]), "per_call": int(args[i + 2])}
send(hello)
print("memory plugin started", file=sys.stderr, flush=True)

for line in sys.stdin:
    msg = json.loads(line)
    t, rid = msg["type"], msg.get("id")
    if len(line.encode()) > (16 << 20) + 1:
        send({"v": 1, "type": "error", "re": rid, "code": "too_long", "message": "a line over 16 MiB",
              "retryable": False})
        continue
    if t == "spec":
        send({"v": 1, "type": "spec", "re": rid, "settings": {
            "type": "object", "additionalProperties": False, "required": ["calendar"],
            "properties": {
                "calendar": {"type": "string", "description": "which calendar"},
                "page_size": {"type": "integer", "minimum": 1, "maximum": 1000},
                "token": {"type": "string", "secret": True, "description": "a secret, echoed nowhere"},
                "job": {"type": "object", "properties": {"tag": {"type": "string"}}},
            }}})
    elif t == "configure":
        secrets = msg.get("secrets", {})
        print(f"configured for {msg['profile']}/{msg['connection']} side {msg['side']}, "
              f"settings {sorted(msg['settings'])}, secrets {sorted(secrets)}", file=sys.stderr, flush=True)
        if secrets.get("token") is not None and "token" in msg["settings"]:
            send({"v": 1, "type": "error", "re": rid, "code": "leak", "message": "secret in settings", "retryable": False})
        else:
            send({"v": 1, "type": "configured", "re": rid})
    elif t == "test_connection":
        ok = os.path.isdir(os.path.dirname(os.path.abspath(store_path)))
        send({"v": 1, "type": "test_result", "re": rid, "steps": [
            {"name": "open store", "ok": ok, "detail": store_path if ok else "directory missing"}]})
    elif t == "read":
        fault = current_fault()
        data = load()
        with open(store_path + ".reads", "a") as f:
            f.write(json.dumps(msg.get("cursor")) + "\n")
        since_rev = int(msg["cursor"]) if feed and msg.get("cursor") else None
        items = [(k, v) for k, v in sorted(data["items"].items()) if in_window(v, msg["window"])
                 and (since_rev is None or v.get("rev", 0) > since_rev)]
        if fault == "exit-mid-read":
            for k, v in items[:1]:
                send({"v": 1, "type": "item", "re": rid, "key": k, "version": v["version"], **body(v)})
            out.write('{"v":1,"type":"item","re":')
            out.flush()
            os._exit(3)
        if fault == "garbage":
            out.write("this is not json at all, it is garbage\n")
            out.flush()
            time.sleep(30)
        if fault == "hang":
            time.sleep(300)
        if fault == "huge":
            out.write('{"v":1,"type":"item","re":%d,"key":"big","event":{"title":"' % rid)
            chunk = "x" * (1 << 20)
            for _ in range(20):
                out.write(chunk)
            out.write('"}}\n')
            out.flush()
            time.sleep(30)
        if fault == "wrong-re":
            send({"v": 1, "type": "page_end", "re": rid + 7, "coverage": "complete"})
            time.sleep(30)
        if fault == "read-error":
            send({"v": 1, "type": "error", "re": rid, "code": "http_503", "message": "the feed is down",
                  "retryable": True})
            continue
        if fault == "unknown-type":
            send({"v": 1, "type": "telemetry", "re": rid, "note": "not a protocol message"})
            time.sleep(30)
        for k, v in items:
            send({"v": 1, "type": "item", "re": rid, "key": k, "version": v["version"], **body(v)})
        if fault == "twice":
            out.write(json.dumps({"v": 1, "type": "page_end", "re": rid, "coverage": "complete"}) + "\n"
                      + json.dumps({"v": 1, "type": "page_end", "re": rid, "coverage": "complete"}) + "\n")
            out.flush()
            continue
        if since_rev is not None:
            for k, r in sorted(data.get("deleted", {}).items()):
                if r > since_rev:
                    send({"v": 1, "type": "deleted", "re": rid, "key": k})
        send({"v": 1, "type": "page_end", "re": rid, "coverage": "complete" if since_rev is None else "delta",
              "continuation": None, "cursor": str(data.get("rev", 0)) if feed else None})
    elif t == "lookup":
        data = load()
        for k in msg["keys"]:
            if k in data["items"]:
                v = data["items"][k]
                send({"v": 1, "type": "item", "re": rid, "key": k, "version": v["version"], **body(v)})
        send({"v": 1, "type": "lookup_end", "re": rid})
    elif t == "write":
        fault = current_fault()
        if fault == "write-error":
            send({"v": 1, "type": "error", "re": rid, "code": "busy", "message": "the store is busy", "retryable": True})
            continue
        data = load()
        if record:
            with open(record, "a") as f:
                for c in msg["changes"]:
                    f.write(json.dumps({"op": c["op"], "key": c.get("key") or c.get("id"),
                                        "title": (c.get("event") or {}).get("title")}) + "\n")
                f.flush()
                os.fsync(f.fileno())
        outcomes = []
        for i, c in enumerate(msg["changes"]):
            if write_delay:
                time.sleep(write_delay)
                if i > 0:
                    save(data)
                if os.getppid() != parent:
                    os._exit(9)  # almanac is gone: stop in the middle of the batch, as a crash would
            op = c["op"]
            if op == "create":
                key = c["id"]
                if key in data["items"]:
                    v = data["items"][key]
                    outcomes.append({"index": i, "result": "conflict",
                                     "current": {"key": key, "version": v["version"], **body(v)}})
                    continue
                data["next"] += 1
                data["items"][key] = dict(body(c), version=str(data["next"]), rev=bump(data))
                outcomes.append({"index": i, "result": "written", "key": key, "version": str(data["next"])})
            elif op == "update":
                key = c["key"]
                if key not in data["items"]:
                    outcomes.append({"index": i, "result": "gone"})
                    continue
                cur = data["items"][key]
                if c.get("if_version") is not None and c["if_version"] != cur["version"]:
                    outcomes.append({"index": i, "result": "conflict",
                                     "current": {"key": key, "version": cur["version"], **body(cur)}})
                    continue
                data["next"] += 1
                data["items"][key] = dict(body(c), version=str(data["next"]), rev=bump(data))
                outcomes.append({"index": i, "result": "written", "key": key, "version": str(data["next"])})
            elif op == "delete":
                cur = data["items"].get(c["key"])
                if cur is not None and c.get("if_version") is not None and c["if_version"] != cur["version"]:
                    outcomes.append({"index": i, "result": "conflict",
                                     "current": {"key": c["key"], "version": cur["version"], **body(cur)}})
                    continue
                if data["items"].pop(c["key"], None) is None:
                    outcomes.append({"index": i, "result": "gone"})
                else:
                    data.setdefault("deleted", {})[c["key"]] = bump(data)
                    outcomes.append({"index": i, "result": "written", "key": c["key"], "version": None})
            else:
                outcomes.append({"index": i, "result": "failed", "retryable": False, "reason": "no write-back"})
        save(data)
        for o in reversed(outcomes) if fault == "outcome-order" else outcomes:
            send(dict({"v": 1, "type": "outcome", "re": rid}, **o))
    elif t == "test_reset":
        save({"next": 1, "items": {}})
        send({"v": 1, "type": "test_done", "re": rid})
    elif t == "test_seed":
        data = load()
        keys = []
        member = "contact" if "contacts" in msg else "event"
        for e in msg.get("contacts", msg.get("events")):
            data["next"] += 1
            key = "s%d" % data["next"]
            data["items"][key] = {"version": str(data["next"]), member: e, "rev": bump(data)}
            keys.append(key)
        save(data)
        send({"v": 1, "type": "test_seeded", "re": rid, "keys": keys})
    elif t == "test_dump":
        for k, v in sorted(load()["items"].items()):
            send({"v": 1, "type": "item", "re": rid, "key": k, "version": v["version"], **body(v)})
        send({"v": 1, "type": "test_done", "re": rid})
    elif t == "shutdown":
        send({"v": 1, "type": "bye", "re": rid})
        sys.exit(0)
    else:
        send({"v": 1, "type": "error", "re": rid, "code": "unsupported", "message": t, "retryable": False})
