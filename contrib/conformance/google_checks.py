"""Google Calendar v3 behaviours the connectors rely on, exercised with Google's own client
libraries (google-api-python-client, google-auth, google-auth-httplib2) against the fake.

    python google_checks.py --base http://127.0.0.1:PORT --client-id ID --client-secret-file F \
        --refresh-token-file F [--second-client-id ID --second-client-secret-file F]

Each check is described by the Calendar API reference (events.insert/get/patch/update/delete/list,
"Synchronize resources efficiently", "Batch requests"); see contrib/conformance/README.md.
"""
import argparse
import datetime
import json
import time

import google.auth.exceptions
import google.auth.transport.requests
import google.oauth2.credentials
from googleapiclient import discovery, errors
from googleapiclient import http as ghttp
from googleapiclient.discovery_cache import get_static_doc

from checklib import Admin, expect, read, run

p = argparse.ArgumentParser()
p.add_argument("--base", required=True)
p.add_argument("--client-id", required=True)
p.add_argument("--client-secret-file", required=True)
p.add_argument("--refresh-token-file", required=True)
p.add_argument("--second-client-id")
p.add_argument("--second-client-secret-file")
args = p.parse_args()
admin = Admin(args.base)
secret = read(args.client_secret_file)
refresh_token = read(args.refresh_token_file)


def credentials(client_id=args.client_id, client_secret=secret, token=refresh_token):
    return google.oauth2.credentials.Credentials(
        token=None, refresh_token=token, token_uri=args.base + "/token",
        client_id=client_id, client_secret=client_secret)


def refresh(creds):
    creds.refresh(google.auth.transport.requests.Request())
    return creds


def refresh_error(creds):
    try:
        refresh(creds)
    except google.auth.exceptions.RefreshError as e:
        return str(e)
    return None


def check_refresh():
    c = refresh(credentials())
    expect(c.token and c.expiry is not None, "refresh gave no access token or expiry")


def check_second_client():
    expect(args.second_client_id, "no second client given")
    c = refresh(credentials(args.second_client_id, read(args.second_client_secret_file)))
    expect(c.token, "second client got no access token")


def check_invalid_client():
    e = refresh_error(credentials(client_secret="not-the-secret"))
    expect(e and "invalid_client" in e, "wrong secret: expected invalid_client, got %r" % e)
    e = refresh_error(credentials(client_id="nobody"))
    expect(e and "invalid_client" in e, "unknown client: expected invalid_client, got %r" % e)


def check_invalid_grant():
    e = refresh_error(credentials(token="not-a-refresh-token"))
    expect(e and "invalid_grant" in e, "expected invalid_grant, got %r" % e)


run("oauth.refresh_grant", check_refresh)
run("oauth.second_client", check_second_client)
run("oauth.invalid_client", check_invalid_client)
run("oauth.invalid_grant", check_invalid_grant)

# The static discovery document shipped with the client, pointed at the fake: both the API base
# and the batch endpoint (rootUrl + batchPath) come from rootUrl.
doc = json.loads(get_static_doc("calendar", "v3"))
doc["rootUrl"] = args.base + "/"
creds = refresh(credentials())
svc = discovery.build_from_document(doc, credentials=creds)
events = svc.events()


def at(day, hour, minute=0):
    return "%sT%02d:%02d:00Z" % (day, hour, minute)


def body(summary, start, end, **extra):
    b = {"summary": summary, "start": {"dateTime": start}, "end": {"dateTime": end}}
    b.update(extra)
    return b


def insert(summary, start, end, **extra):
    return events.insert(calendarId="primary", body=body(summary, start, end, **extra)).execute()


def status_of(request):
    """The HTTP status an HttpError carries, or 200 when the request succeeds."""
    try:
        request.execute()
        return 200
    except errors.HttpError as e:
        return e.resp.status


def list_all(**params):
    """Every item of a listing, following nextPageToken; returns (items, pages).

    Pages are asked for with `pageToken` rather than the client's `list_next`, which rebuilds the
    previous URL and refuses one with a repeated parameter (`privateExtendedProperty` twice).
    """
    items, pages = [], []
    token = None
    while True:
        page = events.list(calendarId="primary", pageToken=token, **params).execute()
        pages.append(page)
        items += page.get("items", [])
        token = page.get("nextPageToken")
        if not token:
            return items, pages


def summaries(items, prefix):
    return sorted(i.get("summary", "") for i in items if i.get("summary", "").startswith(prefix))


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


state = {}


def check_insert_valid_id():
    e = insert("insert-valid", at("2030-01-05", 9), at("2030-01-05", 10), id="confvalid0001",
               location="Room 1")
    expect(e["id"] == "confvalid0001", "id not kept: %r" % e.get("id"))
    expect(e.get("etag") and e.get("status") == "confirmed", "etag/status missing: %r" % e)
    state["event"] = e


def check_insert_invalid_id():
    try:
        insert("insert-invalid", at("2030-01-05", 9), at("2030-01-05", 10), id="Not_Base32hex!")
    except errors.HttpError as e:
        expect(e.resp.status == 400, "expected 400, got %s" % e.resp.status)
        return
    raise AssertionError("an id outside base32hex was accepted")


def check_get():
    e = events.get(calendarId="primary", eventId="confvalid0001").execute()
    expect(e["summary"] == "insert-valid" and e["etag"] == state["event"]["etag"], "get differs: %r" % e)


def check_if_none_match():
    req = events.get(calendarId="primary", eventId="confvalid0001")
    req.headers["If-None-Match"] = state["event"]["etag"]
    expect(status_of(req) == 304, "current etag: expected 304, got %s" % status_of(req))
    req = events.get(calendarId="primary", eventId="confvalid0001")
    req.headers["If-None-Match"] = '"stale-etag"'
    expect(status_of(req) == 200, "stale etag: expected 200")


def check_patch():
    e = events.patch(calendarId="primary", eventId="confvalid0001", body={"summary": "patched"}).execute()
    expect(e["summary"] == "patched", "summary not patched")
    expect(e.get("location") == "Room 1", "patch dropped a field it did not name: %r" % e.get("location"))
    expect(e["etag"] != state["event"]["etag"], "etag unchanged by patch")
    state["stale"], state["event"] = state["event"]["etag"], e


def check_update_if_match():
    req = events.update(calendarId="primary", eventId="confvalid0001",
                        body=body("updated", at("2030-01-05", 9), at("2030-01-05", 11)))
    req.headers["If-Match"] = state["stale"]
    expect(status_of(req) == 412, "stale If-Match: expected 412")
    current = events.get(calendarId="primary", eventId="confvalid0001").execute()
    expect(current["summary"] == "patched", "a 412 update changed the event")
    req = events.update(calendarId="primary", eventId="confvalid0001",
                        body=body("updated", at("2030-01-05", 9), at("2030-01-05", 11)))
    req.headers["If-Match"] = current["etag"]
    e = req.execute()
    expect(e["summary"] == "updated", "current If-Match: not updated")
    expect("location" not in e, "update (PUT) kept a field the body left out")


def check_delete():
    events.delete(calendarId="primary", eventId="confvalid0001").execute()
    e = events.get(calendarId="primary", eventId="confvalid0001").execute()
    expect(e.get("status") == "cancelled", "deleted event not cancelled: %r" % e.get("status"))


def check_delete_deleted():
    s = status_of(events.delete(calendarId="primary", eventId="confvalid0001"))
    expect(s == 410, "expected 410, got %s" % s)


def check_reinsert_deleted():
    s = status_of(events.insert(calendarId="primary", body=body(
        "again", at("2030-01-05", 9), at("2030-01-05", 10), id="confvalid0001")))
    expect(s == 409, "expected 409, got %s" % s)


def check_time_bounds():
    day = "2031-01-10"
    for name, s, e in [("A", (9, 0), (10, 0)), ("B", (12, 0), (13, 0)), ("C", (11, 0), (11, 30)),
                       ("D", (9, 30), (10, 30)), ("E", (11, 30), (12, 30))]:
        insert("bounds-" + name, at(day, *s), at(day, *e))
    items, _ = list_all(timeMin=at(day, 10), timeMax=at(day, 12))
    got = summaries(items, "bounds-")
    expect(got == ["bounds-C", "bounds-D", "bounds-E"], "timeMin/timeMax (exclusive) listed %s" % got)


def check_paging():
    for n in range(7):
        insert("paging-%d" % n, at("2032-02-0%d" % (n + 1), 9), at("2032-02-0%d" % (n + 1), 10))
    items, pages = [], []
    req = events.list(calendarId="primary", maxResults=3)
    while req is not None:  # the client's own paging
        page = req.execute()
        pages.append(page)
        items += page.get("items", [])
        req = events.list_next(req, page)
    expect(len(pages) >= 3, "expected several pages, got %d" % len(pages))
    for page in pages[:-1]:
        expect("nextPageToken" in page and "nextSyncToken" not in page, "a middle page carries a sync token")
    expect("nextSyncToken" in pages[-1] and "nextPageToken" not in pages[-1], "last page lacks nextSyncToken")
    ids = [i["id"] for i in items]
    expect(len(ids) == len(set(ids)), "an item was listed twice")
    expect(len(summaries(items, "paging-")) == 7, "not every event listed")
    state["sync"] = pages[-1]["nextSyncToken"]
    state["paging_ids"] = {i["summary"]: i["id"] for i in items if i.get("summary", "").startswith("paging-")}


def check_sync_delta():
    ids = state["paging_ids"]
    events.patch(calendarId="primary", eventId=ids["paging-0"], body={"summary": "paging-0b"}).execute()
    events.delete(calendarId="primary", eventId=ids["paging-1"]).execute()
    added = insert("paging-new", at("2032-02-09", 9), at("2032-02-09", 10))
    items, pages = list_all(syncToken=state["sync"])
    got = {i["id"]: i.get("status") for i in items}
    want = {ids["paging-0"]: "confirmed", ids["paging-1"]: "cancelled", added["id"]: "confirmed"}
    expect(got == want, "delta %s, expected %s" % (got, want))
    expect("nextSyncToken" in pages[-1], "delta listing gave no new sync token")


def check_sync_expired():
    admin.call("POST", "/_fake/expire-sync-tokens")
    try:
        list_all(syncToken=state["sync"])
    except errors.HttpError as e:
        expect(e.resp.status == 410, "expected 410, got %s" % e.resp.status)
        return
    raise AssertionError("an expired sync token was accepted")


def check_updated_min():
    old = insert("updmin-old", at("2033-03-01", 9), at("2033-03-01", 10))
    gone = insert("updmin-gone", at("2033-03-01", 11), at("2033-03-01", 12))
    edited = insert("updmin-edited", at("2033-03-01", 13), at("2033-03-01", 14))
    time.sleep(0.05)
    since = now_rfc3339()
    time.sleep(0.05)
    events.delete(calendarId="primary", eventId=gone["id"]).execute()
    events.patch(calendarId="primary", eventId=edited["id"], body={"description": "x"}).execute()
    items, _ = list_all(updatedMin=since)
    got = {i["id"]: i.get("status") for i in items if i["id"] in (old["id"], gone["id"], edited["id"])}
    want = {gone["id"]: "cancelled", edited["id"]: "confirmed"}
    expect(got == want, "updatedMin listed %s, expected %s (deleted since then always included)" % (got, want))


def check_extended_properties():
    both = insert("xprop-both", at("2033-04-01", 9), at("2033-04-01", 10),
                  extendedProperties={"private": {"conf_a": "1", "conf_b": "2"}})
    one = insert("xprop-one", at("2033-04-01", 11), at("2033-04-01", 12),
                 extendedProperties={"private": {"conf_a": "1", "conf_b": "3"}})
    insert("xprop-shared", at("2033-04-01", 13), at("2033-04-01", 14),
           extendedProperties={"shared": {"conf_a": "1", "conf_b": "2"}})
    items, _ = list_all(privateExtendedProperty=["conf_a=1", "conf_b=2"])
    expect([i["id"] for i in items] == [both["id"]], "repeated constraint listed %s" % summaries(items, ""))
    items, _ = list_all(privateExtendedProperty="conf_a=1")
    expect(sorted(i["id"] for i in items) == sorted([both["id"], one["id"]]),
           "single constraint listed %s" % summaries(items, ""))


def check_show_deleted():
    e = insert("showdel", at("2034-05-01", 9), at("2034-05-01", 10))
    events.delete(calendarId="primary", eventId=e["id"]).execute()
    window = {"timeMin": at("2034-05-01", 0), "timeMax": at("2034-05-02", 0)}
    items, _ = list_all(**window)
    expect(e["id"] not in [i["id"] for i in items], "deleted event listed without showDeleted")
    items, _ = list_all(showDeleted=True, **window)
    expect([i.get("status") for i in items if i["id"] == e["id"]] == ["cancelled"], "showDeleted: not listed")
    state["showdel"] = e["id"]


def check_single_events():
    series = insert("series", at("2035-06-01", 9), at("2035-06-01", 10),
                    recurrence=["RRULE:FREQ=DAILY;COUNT=3"])
    window = {"timeMin": at("2035-06-01", 0), "timeMax": at("2035-06-10", 0)}
    items, _ = list_all(singleEvents=True, **window)
    expect(len(items) == 3, "singleEvents: %d instances, expected 3" % len(items))
    expect(all(i.get("recurringEventId") == series["id"] for i in items), "instances lack recurringEventId")
    expect(len({i["start"]["dateTime"] for i in items}) == 3, "instances share a start")
    expect(all("originalStartTime" in i for i in items), "instances lack originalStartTime")
    items, _ = list_all(**window)
    expect(len(items) == 1 and "recurrence" in items[0], "without singleEvents the series is one item")


def check_recurring_instances():
    """events.instances; an instance's id, its move and its deletion as exceptions of the series."""
    start = {"dateTime": "2035-07-03T10:00:00-05:00", "timeZone": "America/Chicago"}
    end = {"dateTime": "2035-07-03T11:00:00-05:00", "timeZone": "America/Chicago"}
    series = events.insert(calendarId="primary", body={
        "summary": "recurring", "start": start, "end": end,
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=TU,TH"]}).execute()
    inst = events.instances(calendarId="primary", eventId=series["id"]).execute().get("items", [])
    starts = [i["originalStartTime"]["dateTime"] for i in inst]
    expect(len(inst) == 4, "instances: %d, expected 4" % len(inst))
    expect(inst[0]["id"] == series["id"] + "_20350703T150000Z", "instance id is %r" % inst[0]["id"])
    expect(all(i["recurringEventId"] == series["id"] for i in inst), "instances lack recurringEventId")
    moved = inst[1]["id"]
    events.patch(calendarId="primary", eventId=moved, body={
        "start": {"dateTime": "2035-07-05T14:00:00-05:00", "timeZone": "America/Chicago"},
        "end": {"dateTime": "2035-07-05T15:00:00-05:00", "timeZone": "America/Chicago"}}).execute()
    events.delete(calendarId="primary", eventId=inst[2]["id"]).execute()
    window = {"timeMin": at("2035-07-01", 0), "timeMax": at("2035-07-20", 0)}
    items, _ = list_all(singleEvents=True, **window)
    mine = [i for i in items if i.get("recurringEventId") == series["id"]]
    expect(len(mine) == 3, "singleEvents after a delete: %d, expected 3" % len(mine))
    expect([i["start"]["dateTime"][:16] for i in mine if i["id"] == moved] == ["2035-07-05T19:00"]
           or [i["start"]["dateTime"][:16] for i in mine if i["id"] == moved] == ["2035-07-05T14:00"],
           "moved instance not at its new start")
    items, _ = list_all(**window)
    cancelled = [i for i in items if i.get("recurringEventId") == series["id"] and i.get("status") == "cancelled"]
    expect([i["id"] for i in cancelled] == [inst[2]["id"]], "cancelled instance not listed without singleEvents")
    expect(cancelled[0].get("originalStartTime", {}).get("dateTime") == starts[2],
           "cancelled instance lacks originalStartTime")
    shown = events.instances(calendarId="primary", eventId=series["id"], showDeleted=True).execute()["items"]
    expect([i.get("status") for i in shown].count("cancelled") == 1, "instances with showDeleted: no cancelled one")


def check_query_flags():
    http = svc._http  # the client's authorised transport
    base = args.base + "/calendar/v3/calendars/primary/events?timeMin=%s&timeMax=%s&showDeleted=" % (
        at("2034-05-01", 0), at("2034-05-02", 0))
    for value, shown in [("true", True), ("True", True), ("1", True), ("false", False), ("0", False)]:
        resp, content = http.request(base + value)
        expect(resp.status == 200, "showDeleted=%s: status %s" % (value, resp.status))
        listed = state["showdel"] in [i["id"] for i in json.loads(content).get("items", [])]
        expect(listed == shown, "showDeleted=%s read as %s" % (value, listed))


def check_error_envelope():
    try:
        events.get(calendarId="primary", eventId="nosuchevent0").execute()
    except errors.HttpError as e:
        err = json.loads(e.content)["error"]
        expect(e.resp.status == 404 and err["code"] == 404, "expected 404")
        expect(err["errors"][0]["reason"] == "notFound" and err["errors"][0]["domain"] == "global",
               "errors[0] is %r" % err["errors"][0])
        expect(e.reason == err["message"], "client read the message as %r" % e.reason)
        return
    raise AssertionError("unknown event found")


run("events.insert.client_id_valid", check_insert_valid_id)
run("events.insert.client_id_invalid_400", check_insert_invalid_id)
run("events.get", check_get)
run("events.get.if_none_match_304", check_if_none_match)
run("events.patch.merges", check_patch)
run("events.update.if_match_412_then_replaces", check_update_if_match)
run("events.delete", check_delete)
run("events.delete.deleted_410", check_delete_deleted)
run("events.insert.deleted_id_409", check_reinsert_deleted)
run("events.list.time_bounds_exclusive", check_time_bounds)
run("events.list.paging_until_next_sync_token", check_paging)
run("events.list.sync_token_delta", check_sync_delta)
run("events.list.sync_token_expired_410", check_sync_expired)
run("events.list.updated_min_includes_deleted", check_updated_min)
run("events.list.private_extended_property_all_match", check_extended_properties)
run("events.list.show_deleted", check_show_deleted)
run("events.list.single_events_recurring", check_single_events)
run("events.instances.exceptions", check_recurring_instances)
run("query.flags_true_True_1", check_query_flags)
run("errors.envelope", check_error_envelope)


def batch_of(requests):
    """Runs REQUESTS in one batch; returns [(status, response)] in request order."""
    out = {}

    def callback(request_id, response, exception):
        out[int(request_id)] = (exception.resp.status if exception else 200, response)

    b = svc.new_batch_http_request(callback=callback)
    for n, r in enumerate(requests):
        b.add(r, request_id=str(n))
    b.execute()
    return [out.get(n) for n in range(len(requests))]


def inserts(count, tag, day):
    return [events.insert(calendarId="primary", body=body(
        "%s-%d" % (tag, n), at(day, 9), at(day, 10))) for n in range(count)]


def check_batch(count, tag, day):
    def check():
        answers = batch_of(inserts(count, tag, day))
        bad = [a for a in answers if a is None or a[0] != 200]
        expect(not bad, "%d of %d parts failed: %s" % (len(bad), count, bad[:3]))
        ids = {a[1]["id"] for a in answers}
        expect(len(ids) == count, "parts answered %d distinct events" % len(ids))
        items, _ = list_all(timeMin=at(day, 0), timeMax=at(day, 23))
        expect(len(summaries(items, tag + "-")) == count, "the calendar holds %d of them" % len(items))
    return check


def check_batch_1001():
    requests = inserts(1001, "b1001", "2038-01-01")
    b = svc.new_batch_http_request()
    for n, r in enumerate(requests[:1000]):
        b.add(r, request_id=str(n))
    try:
        b.add(requests[1000], request_id="1000")
        raise AssertionError("the client itself accepted a 1,001st call")
    except errors.BatchError:
        pass
    # The client refuses a 1,001st call itself; its own serialiser sends one to see the service refuse.
    b._order.append("1000")
    b._requests["1000"] = requests[1000]
    try:
        b._execute(svc._http, b._order, b._requests)
    except errors.HttpError as e:
        expect(e.resp.status == 400, "expected 400, got %s" % e.resp.status)
        return
    raise AssertionError("a batch of 1,001 calls was accepted")


def check_batch_part_statuses():
    e = insert("parts", at("2039-01-01", 9), at("2039-01-01", 10), id="confparts0001")
    events.patch(calendarId="primary", eventId=e["id"], body={"summary": "parts-2"}).execute()
    stale = events.update(calendarId="primary", eventId=e["id"], body=body(
        "parts-3", at("2039-01-01", 9), at("2039-01-01", 10)))
    stale.headers["If-Match"] = e["etag"]
    answers = batch_of([
        events.insert(calendarId="primary", body=body("dup", at("2039-01-01", 9), at("2039-01-01", 10),
                                                      id="confparts0001")),
        stale,
        events.get(calendarId="primary", eventId=e["id"]),
    ])
    statuses = [a[0] for a in answers]
    expect(statuses == [409, 412, 200], "part statuses %s, expected [409, 412, 200]" % statuses)
    expect(answers[2][1]["summary"] == "parts-2", "the 200 part carries the event")


def check_batch_part_429():
    admin.call("POST", "/_fake/faults?rate=1&kinds=429&scope=parts")
    try:
        answers = batch_of([events.get(calendarId="primary", eventId="confparts0001")] * 2)
    finally:
        admin.call("POST", "/_fake/faults?rate=0")
    expect([a[0] for a in answers] == [429, 429], "part statuses %s, expected 429s" % [a[0] for a in answers])
    log = [line for line in admin.log() if "batch_part" in line]
    expect([line["status"] for line in log[-2:]] == [429, 429] and log[-1].get("fault") == "429",
           "the request log does not show the 429 parts: %s" % log[-2:])


run("batch.50_parts", check_batch(50, "b50", "2036-01-01"))
run("batch.1000_parts", check_batch(1000, "b1000", "2037-01-01"))
run("batch.1001_parts_400", check_batch_1001)
run("batch.part_statuses_409_412", check_batch_part_statuses)
run("batch.part_status_429", check_batch_part_429)
