#!/usr/bin/env python3
"""The bench's exec plugin: answers every `read` with the items of a prepared file.

    echo-plugin.py ITEMS

ITEMS holds one item a line without its head: `,"key":…,"version":…,"event":{…}}`. The file is
read once at start; a read writes `{"v":1,"type":"item","re":ID` + line for every line in one
`write` (bytes joined in C, no per-item Python work beyond one concatenation), then `page_end`.
"""
import json
import sys

with open(sys.argv[1], "rb") as f:
    lines = f.read().splitlines(keepends=True)
out = sys.stdout.buffer
head = b'{"v":1,"type":"item","re":'


def send(obj):
    out.write(json.dumps(obj, separators=(",", ":")).encode() + b"\n")
    out.flush()


send({"v": 1, "type": "hello", "protocol": 1, "name": "echo", "version": "1.0.0", "kinds": ["event"],
      "capabilities": ["read"]})
for raw in sys.stdin.buffer:
    msg = json.loads(raw)
    t, rid = msg["type"], msg.get("id")
    if t == "spec":
        send({"v": 1, "type": "spec", "re": rid, "settings": {"type": "object", "properties": {}}})
    elif t == "configure":
        send({"v": 1, "type": "configured", "re": rid})
    elif t == "read":
        prefix = head + str(rid).encode()
        out.write(prefix + prefix.join(lines))
        send({"v": 1, "type": "page_end", "re": rid, "coverage": "complete"})
    elif t == "shutdown":
        send({"v": 1, "type": "bye", "re": rid})
        break
    else:
        send({"v": 1, "type": "error", "re": rid, "code": "unsupported", "message": t, "retryable": False})
