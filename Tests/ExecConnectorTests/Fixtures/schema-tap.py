#!/usr/bin/env python3
"""Runs a plugin and checks every line of both directions against docs/connector-protocol/*.schema.json.

    schema-tap.py SCHEMA_DIR REPORT -- COMMAND ARGS...

Lines pass through unchanged. At exit one JSON line is appended to REPORT:
{"counts": {"almanac:read": 3, "plugin:item": 12, ...}, "errors": ["plugin item: ...", ...]}.
Needs the jsonschema package (Draft 2020-12).
"""
import json
import os
import subprocess
import sys
import threading

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

schema_dir, report = sys.argv[1], sys.argv[2]
command = sys.argv[sys.argv.index("--") + 1:]

resources = {}
for name in os.listdir(schema_dir):
    if name.endswith(".schema.json"):
        with open(os.path.join(schema_dir, name)) as f:
            resources[name[: -len(".schema.json")]] = json.load(f)
registry = Registry().with_resources(
    (schema["$id"], Resource.from_contents(schema)) for schema in resources.values())
validators = {t: Draft202012Validator(s, registry=registry) for t, s in resources.items()
              if t not in ("event", "contact")}

counts, errors, lock = {}, [], threading.Lock()


def check(line, side):
    try:
        msg = json.loads(line)
        kind = msg.get("type")
    except ValueError as e:
        with lock:
            errors.append(f"{side}: not JSON: {e}")
        return
    with lock:
        counts[f"{side}:{kind}"] = counts.get(f"{side}:{kind}", 0) + 1
        validator = validators.get(kind)
        if validator is None:
            errors.append(f"{side}: no schema for type {kind!r}")
            return
        for e in validator.iter_errors(msg):
            errors.append(f"{side} {kind}: {e.json_path}: {e.message[:200]}")


child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def forward_requests():
    for line in sys.stdin.buffer:
        check(line, "almanac")
        try:
            child.stdin.write(line)
            child.stdin.flush()
        except BrokenPipeError:
            break
    try:
        child.stdin.close()
    except BrokenPipeError:
        pass


threading.Thread(target=forward_requests, daemon=True).start()
for line in child.stdout:
    check(line, "plugin")
    sys.stdout.buffer.write(line)
    sys.stdout.buffer.flush()
child.wait()
with lock, open(report, "a") as f:
    f.write(json.dumps({"counts": counts, "errors": errors}) + "\n")
