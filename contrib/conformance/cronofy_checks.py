"""Cronofy behaviours the connectors rely on, exercised with Cronofy's own client library
(pycronofy) against the fake.

    python cronofy_checks.py --base http://127.0.0.1:PORT --client-id ID --client-secret-file F \
        --refresh-token-file F --calendar CAL_ID

The fake must hold CAL_ID (writable); the script adds a read-only calendar and an unmanaged event
through the admin endpoints. See contrib/conformance/README.md.
"""
import argparse
import datetime
import time

import pycronofy
from pycronofy.batch import BatchBuilder
from pycronofy.exceptions import PyCronofyPartialSuccessError, PyCronofyRequestError

from checklib import Admin, expect, read, run

p = argparse.ArgumentParser()
p.add_argument("--base", required=True)
p.add_argument("--client-id", required=True)
p.add_argument("--client-secret-file", required=True)
p.add_argument("--refresh-token-file", required=True)
p.add_argument("--calendar", required=True)
args = p.parse_args()
admin = Admin(args.base)
CAL = args.calendar
READONLY = "cal_conformance_readonly"
UTC = datetime.timezone.utc


def client(client_secret=None, refresh_token=None):
    c = pycronofy.Client(client_id=args.client_id, client_secret=client_secret or read(args.client_secret_file),
                         refresh_token=refresh_token or read(args.refresh_token_file))
    c.request_handler.base_url = args.base  # the client's one setting for where the API lives
    return c


cronofy = client()


def failure(fn):
    """The PyCronofyRequestError FN raises (its response), or None."""
    try:
        fn()
    except PyCronofyRequestError as e:
        return e.response
    return None


def when(day, hour, minute=0):
    y, m, d = (int(x) for x in day.split("-"))
    return datetime.datetime(y, m, d, hour, minute, tzinfo=UTC)


def event(event_id, summary, start, end, **extra):
    e = {"event_id": event_id, "summary": summary, "start": start, "end": end, "tzid": "Etc/UTC"}
    e.update(extra)
    return e


def read_all(day_from, day_to, **params):
    """Every event of a read (the client follows pages.next_page), keyed by event_id or event_uid."""
    params.setdefault("tzid", "Etc/UTC")
    pages = cronofy.read_events(calendar_ids=(CAL,), from_date=day_from, to_date=day_to, **params)
    return {e.get("event_id") or e["event_uid"]: e for e in pages.all()}


def day(s):
    y, m, d = (int(x) for x in s.split("-"))
    return datetime.date(y, m, d)


def check_refresh():
    tokens = cronofy.refresh_authorization()
    expect(tokens["access_token"] and tokens["refresh_token"], "refresh gave %r" % tokens)


def check_invalid_client():
    r = failure(lambda: client(client_secret="not-the-secret").refresh_authorization())
    expect(r is not None and r.status_code in (400, 401), "wrong secret accepted")
    expect(r.json().get("error") == "invalid_client", "error %r" % r.json())
    r = failure(lambda: client(refresh_token="not-a-token").refresh_authorization())
    expect(r is not None and r.json().get("error") == "invalid_grant", "bad refresh token accepted")


run("oauth.refresh", check_refresh)
run("oauth.invalid_client_and_grant", check_invalid_client)

run("setup.readonly_calendar", lambda: admin.call("POST", "/_fake/calendars?id=%s&readonly=true" % READONLY) and None)


def check_calendars():
    cals = {c["calendar_id"]: c for c in cronofy.list_calendars()}
    expect(CAL in cals and READONLY in cals, "calendars listed: %s" % sorted(cals))
    expect(cals[CAL]["calendar_readonly"] is False and cals[READONLY]["calendar_readonly"] is True,
           "calendar_readonly flags wrong")
    for key in ("calendar_name", "profile_id", "provider_name", "calendar_deleted"):
        expect(key in cals[CAL], "calendar lacks %s" % key)


def check_upsert_create():
    cronofy.upsert_event(CAL, event("conf-1", "created", when("2030-01-05", 9), when("2030-01-05", 10)))
    got = read_all(day("2030-01-05"), day("2030-01-06"))
    expect("conf-1" in got and got["conf-1"]["summary"] == "created",
           "the upserted event is not read back (read_events sends include_managed=True): %s" % sorted(got))


def check_upsert_update():
    cronofy.upsert_event(CAL, event("conf-1", "updated", when("2030-01-05", 9), when("2030-01-05", 11)))
    got = read_all(day("2030-01-05"), day("2030-01-06"))
    expect([e["summary"] for e in got.values()] == ["updated"], "after update: %s" % got)
    expect(got["conf-1"]["end"] == "2030-01-05T11:00:00Z", "end read back as %r" % got["conf-1"]["end"])


def check_include_managed():
    admin.call("POST", "/_fake/seed?calendar=%s" % CAL,
               {"summary": "made in the calendar", "start": "2030-01-05T12:00:00Z", "end": "2030-01-05T13:00:00Z"})
    got = read_all(day("2030-01-05"), day("2030-01-06"), include_managed=False)
    expect([e["summary"] for e in got.values()] == ["made in the calendar"], "include_managed=False: %s" % got)
    got = read_all(day("2030-01-05"), day("2030-01-06"))
    expect(len(got) == 2, "include_managed=True: %s" % sorted(got))
    got = read_all(day("2030-01-05"), day("2030-01-06"), only_managed=True)
    expect(sorted(got) == ["conf-1"], "only_managed=True: %s" % sorted(got))


def check_tzid():
    # 23:30 UTC on 1 March is 08:30 on 2 March in Tokyo: from/to are dates in tzid.
    cronofy.upsert_event(CAL, event("conf-tz", "tz", when("2030-03-01", 23, 30), when("2030-03-01", 23, 45)))
    tokyo = read_all(day("2030-03-02"), day("2030-03-03"), tzid="Asia/Tokyo")
    utc = read_all(day("2030-03-02"), day("2030-03-03"), tzid="Etc/UTC")
    expect("conf-tz" in tokyo and "conf-tz" not in utc, "tokyo %s, utc %s" % (sorted(tokyo), sorted(utc)))
    expect(tokyo["conf-tz"]["start"] == "2030-03-01T23:30:00Z", "start read as %r" % tokyo["conf-tz"]["start"])
    r = failure(lambda: cronofy.read_events(calendar_ids=(CAL,), tzid="Not/A_Zone"))
    expect(r is not None and r.status_code == 422 and "tzid" in r.json().get("errors", {}),
           "unknown tzid: %s" % (r and r.text))


def check_from_to():
    cronofy.upsert_event(CAL, event("conf-ft", "ft", when("2030-04-06", 10), when("2030-04-06", 11)))
    expect("conf-ft" not in read_all(day("2030-04-05"), day("2030-04-06")), "to is exclusive")
    expect("conf-ft" in read_all(day("2030-04-06"), day("2030-04-07")), "from is inclusive")
    expect("conf-ft" not in read_all(day("2030-04-07"), day("2030-04-08")), "event before from listed")


def check_last_modified():
    cronofy.upsert_event(CAL, event("conf-lm-old", "old", when("2030-05-01", 9), when("2030-05-01", 10)))
    time.sleep(1.1)  # last_modified is sent with whole seconds
    since = datetime.datetime.now(UTC)
    cronofy.upsert_event(CAL, event("conf-lm-new", "new", when("2030-05-01", 11), when("2030-05-01", 12)))
    got = read_all(day("2030-05-01"), day("2030-05-02"), last_modified=since)
    expect(sorted(got) == ["conf-lm-new"], "last_modified read %s" % sorted(got))


def check_delete_and_include_deleted():
    cronofy.upsert_event(CAL, event("conf-del", "del", when("2030-06-01", 9), when("2030-06-01", 10)))
    cronofy.delete_event(CAL, "conf-del")
    expect("conf-del" not in read_all(day("2030-06-01"), day("2030-06-02")), "deleted event still read")
    got = read_all(day("2030-06-01"), day("2030-06-02"), include_deleted=True)
    expect(got.get("conf-del", {}).get("deleted") is True, "include_deleted: %s" % got)


def check_paging():
    for n in range(60):
        cronofy.upsert_event(CAL, event("conf-page-%02d" % n, "page", when("2030-07-01", 9), when("2030-07-01", 10)))
    first = cronofy.read_events(calendar_ids=(CAL,), from_date=day("2030-07-01"), to_date=day("2030-07-02"))
    page = first.json()
    expect(page["pages"]["total"] >= 2 and "next_page" in page["pages"], "one page for 60 events: %s" % page["pages"])
    expect(len(first.current_page()) < 60, "first page holds all")
    got = read_all(day("2030-07-01"), day("2030-07-02"))
    expect(len(got) == 60, "paging read %d of 60" % len(got))


def check_query_flags():
    base = {"tzid": "Etc/UTC", "calendar_ids[]": CAL, "from": "2030-01-05", "to": "2030-01-06"}
    for value, managed in [("true", True), ("True", True), ("1", True), ("false", False), ("0", False)]:
        r = cronofy.request_handler.get(endpoint="events", params=dict(base, include_managed=value))
        ids = [e.get("event_id") for e in r.json()["events"]]
        expect(("conf-1" in ids) == managed, "include_managed=%s read as %s" % (value, "conf-1" in ids))


def check_batch_valid():
    b = BatchBuilder()
    for n in range(3):
        b.upsert_event(CAL, event("conf-b-%d" % n, "batch", when("2030-08-01", 9), when("2030-08-01", 10)))
    b.delete_event(CAL, "conf-b-0")
    result = cronofy.batch(b)
    expect([e.status() for e in result.entries] == [202, 202, 202, 202], "statuses %s" % [
        e.status() for e in result.entries])
    expect(sorted(read_all(day("2030-08-01"), day("2030-08-02"))) == ["conf-b-1", "conf-b-2"], "batch not applied")


def check_batch_partly_invalid():
    b = BatchBuilder()
    b.upsert_event(CAL, event("conf-b-ok", "ok", when("2030-08-02", 9), when("2030-08-02", 10)))
    b.upsert_event(CAL, event("conf-b-bad", "", when("2030-08-02", 9), when("2030-08-02", 10)))
    raw = cronofy.request_handler.post(endpoint="batch", data={"batch": b.build()})
    expect(raw.status_code == 207, "a partly invalid batch answered %s" % raw.status_code)
    try:
        cronofy.batch(b)
        raise AssertionError("the client saw no error in a partly invalid batch")
    except PyCronofyPartialSuccessError as e:
        entries = e.batch_response.entries
        expect([x.status() for x in entries] == [202, 422], "statuses %s" % [x.status() for x in entries])
        errs = entries[1].response["data"]["errors"]
        expect("summary" in errs and {"key", "description"} <= set(errs["summary"][0]), "422 data %r" % errs)


def check_readonly():
    r = failure(lambda: cronofy.upsert_event(
        READONLY, event("conf-ro", "ro", when("2030-09-01", 9), when("2030-09-01", 10))))
    expect(r is not None and r.status_code == 422, "upsert into a read-only calendar: %s" % (r and r.status_code))
    expect("errors" in r.json(), "422 without the errors envelope: %s" % r.text)
    r = failure(lambda: cronofy.delete_event(READONLY, "conf-ro"))
    expect(r is not None and r.status_code == 422, "delete in a read-only calendar: %s" % (r and r.status_code))


def check_error_envelope():
    r = failure(lambda: cronofy.upsert_event(CAL, event("conf-bad", "", when("2030-09-02", 9), when("2030-09-02", 10))))
    expect(r is not None and r.status_code == 422, "missing summary accepted")
    errs = r.json()["errors"]
    expect(list(errs) == ["summary"] and errs["summary"][0]["key"].startswith("errors."), "errors %r" % errs)


run("calendars.list", check_calendars)
run("events.upsert_create", check_upsert_create)
run("events.upsert_update", check_upsert_update)
run("events.read.include_managed", check_include_managed)
run("events.read.tzid", check_tzid)
run("events.read.from_to", check_from_to)
run("events.read.last_modified", check_last_modified)
run("events.delete_and_include_deleted", check_delete_and_include_deleted)
run("events.read.paging_next_page", check_paging)
run("query.flags_true_True_1", check_query_flags)
run("batch.all_valid", check_batch_valid)
run("batch.partly_invalid_207", check_batch_partly_invalid)
run("calendars.readonly_422", check_readonly)
run("errors.envelope_422", check_error_envelope)
