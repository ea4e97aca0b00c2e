"""Protocol-level tests of the reference connectors: each plugin runs as a child process and is
spoken to line by line, as almanac does. The conformance suite (`almanac connector-test`) covers
the connector contract; these cover what is particular to each plugin.

    PYTHON -m unittest discover -s contrib/connectors/tests     (PYTHON with icalendar installed)
"""

import base64
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ICS = os.path.join(HERE, "..", "ics", "ics_connector.py")
REST = os.path.join(HERE, "..", "rest", "rest_connector.py")
SERVER = os.path.join(HERE, "..", "rest", "server.py")
WINDOW = {"start": "2030-03-01T00:00:00Z", "end": "2030-04-01T00:00:00Z"}

FEED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//almanac tests//EN
BEGIN:VEVENT
UID:checkup@example.org
DTSTART:20300305T100000Z
DTEND:20300305T103000Z
SUMMARY:Checkup
LOCATION:Room 1
STATUS:TENTATIVE
ATTENDEE;CN=Ann Example;PARTSTAT=ACCEPTED:mailto:ann@example.org
END:VEVENT
BEGIN:VEVENT
UID:holiday@example.org
DTSTART;VALUE=DATE:20300306
DTEND;VALUE=DATE:20300307
SUMMARY:Closed
END:VEVENT
BEGIN:VEVENT
UID:weekly@example.org
DTSTART:20300305T080000Z
RRULE:FREQ=WEEKLY;COUNT=4
SUMMARY:Team meeting
END:VEVENT
BEGIN:VEVENT
UID:vienna@example.org
DTSTART;TZID=Europe/Vienna:20300307T090000
DURATION:PT1H
SUMMARY:In Vienna
END:VEVENT
BEGIN:VEVENT
UID:later@example.org
DTSTART:20300505T100000Z
SUMMARY:After the window
END:VEVENT
BEGIN:VEVENT
SUMMARY:No UID
DTSTART:20300308T100000Z
END:VEVENT
END:VCALENDAR
"""


class Plugin:
    """A plugin process and the request ids sent to it."""

    def __init__(self, path):
        self.process = subprocess.Popen([sys.executable, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.next_id = 0
        self.hello = json.loads(self.process.stdout.readline())

    def ask(self, kind, until, **fields):
        """Sends one request; returns every reply line up to and including the `until` (or error) one;
        for `write`, up to one `outcome` per change."""
        self.next_id += 1
        self.process.stdin.write(json.dumps({"v": 1, "type": kind, "id": self.next_id, **fields}) + "\n")
        self.process.stdin.flush()
        replies = []
        while True:
            reply = json.loads(self.process.stdout.readline())
            assert reply["re"] == self.next_id and reply["v"] == 1, reply
            replies.append(reply)
            if reply["type"] == "error" or reply["type"] == until and (
                    kind != "write" or len(replies) == len(fields["changes"])):
                return replies

    def close(self):
        self.ask("shutdown", "bye")
        self.process.stdin.close()
        assert self.process.wait(10) == 0
        self.process.stdout.close()
        self.process.stderr.close()


class FeedServer:
    """Serves one body on loopback at /feed.ics, asking for basic auth when `credentials` is set."""

    def __init__(self, body, credentials=None):
        outer = self
        self.body, self.requests = body.encode(), 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                expected = "Basic " + base64.b64encode(credentials.encode()).decode() if credentials else None
                if expected and self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200 if self.path == "/feed.ics" else 404)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/feed.ics"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class ICSTests(unittest.TestCase):
    def read(self, plugin):
        return plugin.ask("read", "page_end", window=WINDOW, cursor=None, continuation=None, since=None)

    def test_feed_over_http_maps_events_and_reports_what_it_cannot_sync(self):
        server = FeedServer(FEED, credentials="clinic:pa55")
        self.addCleanup(server.stop)
        plugin = Plugin(ICS)
        self.assertEqual(plugin.hello["capabilities"], ["read", "test"])
        self.assertEqual(plugin.ask("configure", "configured", settings={"url": server.url, "username": "clinic"},
                                    secrets={"password": "pa55"}, time_zone="Europe/Vienna")[-1]["type"], "configured")
        replies = self.read(plugin)
        items = {r["key"]: r for r in replies if r["type"] == "item"}
        problems = {r["key"]: r for r in replies if r["type"] == "problem"}
        self.assertEqual(sorted(items), ["checkup@example.org", "holiday@example.org", "vienna@example.org"])
        checkup = items["checkup@example.org"]["event"]
        self.assertEqual(checkup["title"], "Checkup")
        self.assertEqual(checkup["status"], "tentative")
        self.assertEqual(checkup["start"], {"date_time": "2030-03-05T10:00:00Z"})
        self.assertEqual(checkup["participants"],
                         [{"response": "accepted", "email": "ann@example.org", "name": "Ann Example"}])
        self.assertEqual(items["holiday@example.org"]["event"]["start"], {"date": "2030-03-06"})
        vienna = items["vienna@example.org"]["event"]
        self.assertEqual(vienna["start"], {"date_time": "2030-03-07T08:00:00Z", "time_zone": "Europe/Vienna"})
        self.assertEqual(vienna["end"], {"date_time": "2030-03-07T09:00:00Z"})
        self.assertEqual(problems["weekly@example.org"]["reason"],
                         "recurring events are not supported yet by the ics connector")
        self.assertIn("VEVENT 6", problems)
        self.assertEqual(replies[-1]["coverage"], "complete")
        # The version is stable while the VEVENT is unchanged.
        again = {r["key"]: r["version"] for r in self.read(plugin) if r["type"] == "item"}
        self.assertEqual(again, {k: r["version"] for k, r in items.items()})
        plugin.close()

    def test_wrong_password_is_an_actionable_error_and_test_connection_says_so(self):
        server = FeedServer(FEED, credentials="clinic:pa55")
        self.addCleanup(server.stop)
        plugin = Plugin(ICS)
        plugin.ask("configure", "configured", settings={"url": server.url, "username": "clinic"},
                   secrets={"password": "wrong"}, time_zone="UTC")
        error = self.read(plugin)[-1]
        self.assertEqual(error["type"], "error")
        self.assertEqual(error["code"], "ics.fetch_failed")
        self.assertEqual(error["message"], f"{server.url} answered HTTP 401; check `username` and the password")
        self.assertNotIn("wrong", error["message"])
        steps = plugin.ask("test_connection", "test_result")[-1]["steps"]
        self.assertEqual([(s["name"], s["ok"]) for s in steps], [("fetch feed", False)])
        plugin.close()

    def test_unreachable_feed_is_retryable(self):
        server = FeedServer(FEED)
        url = server.url
        server.stop()
        plugin = Plugin(ICS)
        plugin.ask("configure", "configured", settings={"url": url}, secrets={}, time_zone="UTC")
        error = self.read(plugin)[-1]
        self.assertEqual((error["type"], error["code"], error["retryable"]), ("error", "ics.fetch_failed", True))
        plugin.close()

    def test_write_is_refused_per_change(self):
        with tempfile.NamedTemporaryFile("w", suffix=".ics", delete=False) as f:
            f.write(FEED)
        self.addCleanup(os.unlink, f.name)
        plugin = Plugin(ICS)
        plugin.ask("configure", "configured", settings={"url": f.name}, secrets={}, time_zone="UTC")
        outcomes = plugin.ask("write", "outcome", changes=[{"op": "delete", "key": "checkup@example.org"}])
        self.assertEqual(outcomes[0]["result"], "failed")
        self.assertIs(outcomes[0]["retryable"], False)
        self.assertEqual(len([r for r in self.read(plugin) if r["type"] == "item"]), 3)
        plugin.close()


class RESTTests(unittest.TestCase):
    def setUp(self):
        self.server = subprocess.Popen([sys.executable, SERVER, "--token", "t0ken"], stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(self.stop_server)
        self.base = self.server.stdout.readline().split()[-1]
        self.plugin = Plugin(REST)
        self.plugin.ask("configure", "configured", settings={"base_url": self.base, "page_size": 2},
                        secrets={"token": "t0ken"}, time_zone="UTC")

    def stop_server(self):
        # SIGKILL: run from a test runner whose threads block SIGTERM, this process and its children
        # inherit that mask, and a SIGTERM would never arrive.
        self.server.kill()
        self.server.wait(10)
        self.server.stdout.close()

    def read(self, cursor=None):
        """Every page of a listing: (lines without page_end, last page_end, pages)."""
        lines, continuation, pages = [], None, 0
        while True:
            replies = self.plugin.ask("read", "page_end", window=WINDOW, cursor=cursor, continuation=continuation)
            pages += 1
            self.assertEqual(replies[-1]["type"], "page_end", replies[-1])
            lines += replies[:-1]
            continuation = replies[-1]["continuation"]
            if continuation is None:
                return lines, replies[-1], pages

    def event(self, title, day=5):
        return {"title": title, "start": {"date_time": f"2030-03-{day:02d}T10:00:00Z"}}

    def test_paging_delta_and_tombstones(self):
        keys = self.plugin.ask("test_seed", "test_seeded", events=[self.event(f"e{i}") for i in range(5)])[-1]["keys"]
        lines, end, pages = self.read()
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(r["key"] for r in lines), sorted(keys))
        self.assertEqual(end["coverage"], "complete")
        cursor = end["cursor"]
        self.assertIsNotNone(cursor)
        version = next(r["version"] for r in lines if r["key"] == keys[0])
        outcomes = self.plugin.ask("write", "outcome", changes=[
            {"op": "update", "key": keys[0], "if_version": version, "event": self.event("edited")},
            {"op": "delete", "key": keys[1], "if_version": None},
            {"op": "update", "key": keys[2], "if_version": version, "event": self.event("stale")},
        ])
        self.assertEqual([o["result"] for o in outcomes[-3:]], ["written", "written", "conflict"])
        self.assertEqual(outcomes[-1]["current"]["event"]["title"], "e2")
        delta, end, _ = self.read(cursor)
        self.assertEqual(end["coverage"], "delta")
        self.assertEqual([(r["type"], r["key"]) for r in delta], sorted([("item", keys[0]), ("deleted", keys[1])],
                                                                        key=lambda t: t[1]))
        quiet, _, _ = self.read(end["cursor"])
        self.assertEqual(quiet, [])

    def test_create_is_idempotent_by_id_and_lookup_finds_only_live_items(self):
        outcomes = self.plugin.ask("write", "outcome", changes=[
            {"op": "create", "id": "c1", "event": self.event("first")},
            {"op": "create", "id": "c1", "event": self.event("retried")},
            {"op": "delete", "key": "missing", "if_version": None},
        ])
        self.assertEqual([o["result"] for o in outcomes], ["written", "conflict", "gone"])
        found = self.plugin.ask("lookup", "lookup_end", keys=["c1", "missing"])
        self.assertEqual([(r["type"], r.get("key")) for r in found], [("item", "c1"), ("lookup_end", None)])
        self.assertEqual(found[0]["event"]["title"], "first")

    def test_wrong_token_fails_the_listing_without_the_token_in_the_message(self):
        plugin = Plugin(REST)
        plugin.ask("configure", "configured", settings={"base_url": self.base}, secrets={"token": "nope"})
        error = plugin.ask("read", "page_end", window=WINDOW, cursor=None, continuation=None)[-1]
        self.assertEqual((error["type"], error["code"]), ("error", "rest.unauthorized"))
        self.assertEqual(error["message"], "listing items: HTTP 401; check the `token` secret")
        steps = plugin.ask("test_connection", "test_result")[-1]["steps"]
        self.assertEqual([(s["name"], s["ok"]) for s in steps], [("reach the API", True), ("authenticate", False)])
        plugin.close()

    def test_an_item_without_a_start_is_a_problem(self):
        self.plugin.ask("test_seed_invalid", "test_seeded")
        lines, _, _ = self.read()
        self.assertEqual(lines, [{"v": 1, "type": "problem", "re": lines[0]["re"], "key": "no-start", "field": "start",
                                  "reason": "the item has no start"}])

    def tearDown(self):
        self.plugin.close()


if __name__ == "__main__":
    unittest.main()
