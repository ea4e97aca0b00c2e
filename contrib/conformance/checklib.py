"""Shared helpers of the conformance scripts: named checks reported as JSON lines, and the fakes'
admin endpoints (Sources/FakeCalendars/README.md).

Each check prints one line {"check": NAME, "ok": true|false, "detail": TEXT} on stdout; the Swift
test (Tests/FakeCalendarsTests/OfficialClientTests.swift) asserts every expected name passed.
"""
import json
import socket
import traceback
import urllib.request

socket.setdefaulttimeout(60)


class CheckFailed(AssertionError):
    pass


def expect(condition, message):
    """Fails the running check with MESSAGE unless CONDITION holds."""
    if not condition:
        raise CheckFailed(message)


def run(name, fn):
    """Runs one check and reports it. A check returns a short detail text or None."""
    try:
        detail = fn()
        ok = True
    except CheckFailed as e:
        ok, detail = False, str(e)
    except Exception as e:  # any other failure is the check's failure, reported with its cause
        ok = False
        detail = "%s: %s | %s" % (type(e).__name__, e, traceback.format_exc(limit=3).replace("\n", " "))
    print(json.dumps({"check": name, "ok": ok, "detail": detail or ""}), flush=True)
    return ok


def read(path):
    with open(path) as f:
        return f.read().strip()


class Admin:
    """The fake's `/_fake/` endpoints (no credentials, loopback only)."""

    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req) as r:
            return r.read().decode()

    def log(self):
        """The request log, one dict per JSON line."""
        return [json.loads(line) for line in self.call("GET", "/_fake/log").splitlines() if line]
