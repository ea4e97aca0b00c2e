#!/usr/bin/env python3
"""almanac exec connector: an iCalendar (.ics) feed, read-only.

A reference plugin, written to be copied. It speaks almanac's connector protocol
(docs/CONNECTOR-PROTOCOL.md): one JSON object per line on stdin (requests from almanac) and
stdout (replies); anything for the administrator goes to stderr, which almanac forwards to the
profile's log. It needs Python 3.9+ and the `icalendar` package (pip install icalendar).

What it does: fetches the feed (an http(s) URL or a local file) on every read, turns each VEVENT
into an event keyed by its UID, and lists those whose start falls in the requested window. The
listing is complete for the window: an event that disappears from the feed is deleted on the
other side. Recurring events (RRULE/RDATE, or an overridden occurrence with RECURRENCE-ID) are
reported as problems: expanding them correctly (time zones, EXDATE, overrides) is not done yet.
"""

import base64
import datetime as dt
import hashlib
import json
import os
import sys
import urllib.error
import urllib.request
import uuid
import zoneinfo

import icalendar

NAME, VERSION = "ics", "1.0.0"
# The event fields this side carries: iCalendar has no phone numbers or custom columns, so
# participants and custom fields are not compared by the engine (ATTENDEEs are still read).
FIELDS = ["title", "description", "location", "start", "end", "status"]
SETTINGS = {
    "type": "object",
    "properties": {
        "url": {"type": "string", "description": "http(s) URL of the .ics feed, or the path of a local .ics file"},
        "username": {"type": "string", "description": "user name for HTTP basic authentication"},
        "password": {"type": "string", "secret": True, "description": "password for HTTP basic authentication"},
        "timeout_seconds": {"type": "integer", "description": "how long one fetch may take (default 30)"},
    },
    "required": ["url"],
    "additionalProperties": False,
}
STATUS_IN = {"CONFIRMED": "confirmed", "TENTATIVE": "tentative", "CANCELLED": "cancelled"}
PARTSTAT_IN = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative"}


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


def rfc3339(value):
    """A datetime as RFC 3339 in UTC."""
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class Feed:
    """The configured feed: fetching, parsing, mapping VEVENTs to events."""

    def __init__(self):
        self.url = None
        self.auth = None
        self.timeout = 30
        self.zone = dt.timezone.utc

    def configure(self, settings, secrets, time_zone):
        self.url = settings.get("url")
        if not self.url:
            raise Failure("config.missing_key", "the connection has no `url`: give the feed's URL or a file path")
        self.timeout = int(settings.get("timeout_seconds", 30))
        if settings.get("username"):
            pair = f"{settings['username']}:{secrets.get('password', '')}".encode()
            self.auth = "Basic " + base64.b64encode(pair).decode()
        try:
            self.zone = zoneinfo.ZoneInfo(time_zone) if time_zone else dt.timezone.utc
        except zoneinfo.ZoneInfoNotFoundError:
            raise Failure("config.invalid_value", f"unknown time zone {time_zone!r}")

    @property
    def path(self):
        """The local file, or None for an http(s) feed."""
        if self.url.startswith(("http://", "https://")):
            return None
        return self.url[len("file://"):] if self.url.startswith("file://") else self.url

    def fetch(self):
        """The feed's bytes. Raises Failure (retryable for network trouble)."""
        if self.path is not None:
            try:
                with open(self.path, "rb") as f:
                    return f.read()
            except OSError as e:
                raise Failure("ics.fetch_failed", f"cannot read {self.path}: {e.strerror}; check the `url` setting")
        request = urllib.request.Request(self.url, headers={"Accept": "text/calendar"})
        if self.auth:
            request.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            hint = "check `username` and the password" if e.code in (401, 403) else "check the `url` setting"
            raise Failure("ics.fetch_failed", f"{self.url} answered HTTP {e.code}; {hint}", retryable=e.code >= 500)
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise Failure("ics.fetch_failed", f"cannot fetch {self.url}: {reason}; is the server up?", retryable=True)

    def calendar(self, data=None):
        data = self.fetch() if data is None else data
        if not data.strip():
            return icalendar.Calendar()
        try:
            return icalendar.Calendar.from_ical(data)
        except ValueError as e:
            raise Failure("ics.parse_failed", f"{self.url} is not an iCalendar file: {e}")

    def entries(self, calendar):
        """(key, version, event) or (locator, field, reason) for each VEVENT, in feed order."""
        for index, vevent in enumerate(calendar.walk("VEVENT"), start=1):
            uid = str(vevent.get("UID", "")).strip()
            key = uid or f"VEVENT {index}"
            if not uid:
                yield ("problem", key, "UID", "the VEVENT has no UID, so it cannot be followed between runs")
            elif any(p in vevent for p in ("RRULE", "RDATE", "RECURRENCE-ID")):
                yield ("problem", key, "RRULE", "recurring events are not supported yet by the ics connector")
            else:
                try:
                    event = self.event(vevent)
                except (ValueError, KeyError, TypeError) as e:
                    yield ("problem", key, getattr(e, "field", None), str(e))
                    continue
                version = hashlib.sha256(vevent.to_ical()).hexdigest()[:32]
                yield ("item", key, version, event)

    def time(self, vevent, name):
        prop = vevent.get(name)
        if prop is None:
            return None
        value = prop.dt
        if isinstance(value, dt.datetime):
            tzid = prop.params.get("TZID")
            if value.tzinfo is None:  # floating time: taken in the profile's zone
                value = value.replace(tzinfo=self.zone)
            out = {"date_time": rfc3339(value)}
            if tzid:
                out["time_zone"] = str(tzid)
            return out
        if isinstance(value, dt.date):
            return {"date": value.isoformat()}
        error = ValueError(f"{name} is neither a date nor a date-time")
        error.field = name
        raise error

    def event(self, vevent):
        if "DTSTART" not in vevent:
            error = ValueError("the VEVENT has no DTSTART")
            error.field = "DTSTART"
            raise error
        event = {"start": self.time(vevent, "DTSTART"), "status": "confirmed"}
        end = self.time(vevent, "DTEND")
        if end is None and "DURATION" in vevent:
            start = vevent["DTSTART"].dt
            end_value = start + vevent["DURATION"].dt
            end = {"date": end_value.isoformat()} if not isinstance(start, dt.datetime) else self.time_of(end_value)
        if end is not None:
            event["end"] = end
        for prop, field in (("SUMMARY", "title"), ("DESCRIPTION", "description"), ("LOCATION", "location")):
            if prop in vevent:
                event[field] = str(vevent[prop])
        event["status"] = STATUS_IN.get(str(vevent.get("STATUS", "CONFIRMED")).upper(), "confirmed")
        attendees = vevent.get("ATTENDEE", [])
        for attendee in attendees if isinstance(attendees, list) else [attendees]:
            person = {"response": PARTSTAT_IN.get(str(attendee.params.get("PARTSTAT", "")).upper(), "needs_action")}
            if str(attendee).lower().startswith("mailto:"):
                person["email"] = str(attendee)[len("mailto:"):]
            if "CN" in attendee.params:
                person["name"] = str(attendee.params["CN"])
            event.setdefault("participants", []).append(person)
        for prop, field in (("CREATED", "created"), ("LAST-MODIFIED", "updated")):
            if prop in vevent and isinstance(vevent[prop].dt, dt.datetime):
                event[field] = rfc3339(vevent[prop].dt)
        return event

    def time_of(self, value):
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return {"date_time": rfc3339(value)}

    def starts_at(self, event):
        """The event's start as an instant; all-day dates at midnight in the profile's zone."""
        start = event["start"]
        if "date" in start:
            return dt.datetime.combine(dt.date.fromisoformat(start["date"]), dt.time(), tzinfo=self.zone)
        return parse_time(start["date_time"])


def vevent_from(event, uid):
    """A VEVENT for `event` (test_seed only: this connector never writes a real feed)."""
    vevent = icalendar.Event()
    vevent.add("UID", uid)
    vevent.add("DTSTAMP", dt.datetime.now(dt.timezone.utc))
    for field, prop in (("start", "DTSTART"), ("end", "DTEND")):
        if event.get(field):
            value = event[field]
            vevent.add(prop, dt.date.fromisoformat(value["date"]) if "date" in value else parse_time(value["date_time"]))
    for field, prop in (("title", "SUMMARY"), ("description", "DESCRIPTION"), ("location", "LOCATION")):
        if event.get(field) is not None:
            vevent.add(prop, event[field])
    vevent.add("STATUS", event.get("status", "confirmed").upper())
    return vevent


class Connector:
    """The protocol's requests, one method each."""

    def __init__(self):
        self.feed = Feed()

    def configure(self, request):
        self.feed.configure(request.get("settings", {}), request.get("secrets", {}), request.get("time_zone"))
        return [{"type": "configured"}]

    def test_connection(self, request):
        steps = []
        try:
            data = self.feed.fetch()
            steps.append({"name": "fetch feed", "ok": True, "detail": f"read {len(data)} bytes from {self.feed.url}"})
            entries = list(self.feed.entries(self.feed.calendar(data)))
            events = sum(1 for e in entries if e[0] == "item")
            problems = len(entries) - events
            steps.append({"name": "parse calendar", "ok": True,
                          "detail": f"{events} events, {problems} that cannot be synced (see the run's problems)"})
        except Failure as e:
            steps.append({"name": "fetch feed" if not steps else "parse calendar", "ok": False, "detail": e.message})
        return [{"type": "test_result", "steps": steps}]

    def read(self, request):
        window = request["window"]
        start, end = parse_time(window["start"]), parse_time(window["end"])
        out = []
        for entry in self.feed.entries(self.feed.calendar()):
            if entry[0] == "problem":
                _, key, field, reason = entry
                out.append({"type": "problem", "key": key, "field": field, "reason": reason})
                continue
            _, key, version, event = entry
            if start <= self.feed.starts_at(event) < end:
                out.append({"type": "item", "key": key, "version": version, "event": event})
        # One page: the feed is fetched whole anyway. `complete` says every event of the window
        # is in this listing, so one missing from the feed is deleted on the other side.
        out.append({"type": "page_end", "coverage": "complete", "continuation": None, "cursor": None})
        return out

    def write(self, request):
        return [{"type": "outcome", "index": i, "result": "failed", "retryable": False,
                 "reason": "the ics connector is read-only"} for i, _ in enumerate(request.get("changes", []))]

    # Test support (capability `test`, used by `almanac connector-test`): the feed must be a
    # local file, which these messages rewrite directly.
    def test_file(self):
        if self.feed.path is None:
            raise Failure("test.unsupported", "test messages need `url` to be a local file")
        return self.feed.path

    def save(self, calendar):
        with open(self.test_file(), "wb") as f:
            f.write(calendar.to_ical())

    def empty_calendar(self):
        calendar = icalendar.Calendar()
        calendar.add("PRODID", "-//almanac//ics reference connector//EN")
        calendar.add("VERSION", "2.0")
        return calendar

    def test_reset(self, request):
        self.save(self.empty_calendar())
        return [{"type": "test_done"}]

    def test_seed(self, request):
        path = self.test_file()
        calendar = self.feed.calendar(open(path, "rb").read()) if os.path.exists(path) else self.empty_calendar()
        keys = []
        for event in request.get("events", []):
            uid = f"{uuid.uuid4().hex}@almanac-test"
            calendar.add_component(vevent_from(event, uid))
            keys.append(uid)
        self.save(calendar)
        return [{"type": "test_seeded", "keys": keys}]

    def test_seed_invalid(self, request):
        """One VEVENT the connector cannot map (no DTSTART); answers its key."""
        calendar = self.feed.calendar(open(self.test_file(), "rb").read())
        vevent = icalendar.Event()
        vevent.add("UID", "no-start@almanac-test")
        vevent.add("SUMMARY", "An event without a start")
        calendar.add_component(vevent)
        self.save(calendar)
        return [{"type": "test_seeded", "keys": ["no-start@almanac-test"]}]

    def test_dump(self, request):
        entries = self.feed.entries(self.feed.calendar(open(self.test_file(), "rb").read()))
        out = [{"type": "item", "key": e[1], "version": e[2], "event": e[3]} for e in entries if e[0] == "item"]
        return out + [{"type": "test_done"}]


def main():
    connector = Connector()
    send({"type": "hello", "protocol": 1, "name": NAME, "version": VERSION, "kinds": ["event"],
          "capabilities": ["read", "test"], "fields": FIELDS})
    for line in sys.stdin:
        request = json.loads(line)
        kind, rid = request.get("type"), request.get("id")
        if kind == "spec":
            send({"type": "spec", "re": rid, "settings": SETTINGS})
            continue
        if kind == "shutdown":
            send({"type": "bye", "re": rid})
            return
        handler = getattr(connector, kind, None) if kind in HANDLED else None
        try:
            if handler is None:
                raise Failure("protocol.unsupported", f"the ics connector does not handle {kind!r}")
            for reply in handler(request):
                send({**reply, "re": rid})
        except Failure as e:
            log(f"{kind} failed: {e.message}")
            send({"type": "error", "re": rid, "code": e.code, "message": e.message, "retryable": e.retryable})


HANDLED = {"configure", "test_connection", "read", "write", "test_reset", "test_seed", "test_seed_invalid",
           "test_dump"}

if __name__ == "__main__":
    main()
