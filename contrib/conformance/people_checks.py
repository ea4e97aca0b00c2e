"""Google People API v1 behaviours the contacts connector relies on, exercised with Google's own
client library (google-api-python-client and its built-in People v1 discovery document) against the
People fake, served on the Google fake's port.

    python people_checks.py --base http://127.0.0.1:PORT --client-id ID --client-secret-file F \
        --refresh-token-file F

Each check follows the People API reference (people.connections.list, people.get/createContact/
updateContact/deleteContact, batchCreateContacts/batchUpdateContacts/batchDeleteContacts,
contactGroups, contactGroups.members.modify); see contrib/conformance/README.md.
"""
import argparse
import json
import urllib.parse

import google.auth.transport.requests
import google.oauth2.credentials
from googleapiclient import discovery, errors
from googleapiclient.discovery_cache import get_static_doc

from checklib import Admin, expect, read, run

p = argparse.ArgumentParser()
p.add_argument("--base", required=True)
p.add_argument("--client-id", required=True)
p.add_argument("--client-secret-file", required=True)
p.add_argument("--refresh-token-file", required=True)
args = p.parse_args()
admin = Admin(args.base)

creds = google.oauth2.credentials.Credentials(
    token=None, refresh_token=read(args.refresh_token_file), token_uri=args.base + "/token",
    client_id=args.client_id, client_secret=read(args.client_secret_file))
creds.refresh(google.auth.transport.requests.Request())

# The People v1 discovery document shipped with the client, pointed at the fake.
doc = json.loads(get_static_doc("people", "v1"))
doc["rootUrl"] = args.base + "/"
svc = discovery.build_from_document(doc, credentials=creds)
people = svc.people()
groups = svc.contactGroups()


def http_error(request):
    """The HttpError a request raises (the check fails when it succeeds)."""
    try:
        request.execute()
    except errors.HttpError as e:
        return e
    raise AssertionError("the request succeeded")


def envelope(e):
    """The `error` object of an HttpError's body."""
    return json.loads(e.content.decode())["error"]


def reason_of(e):
    details = envelope(e).get("details") or [{}]
    return details[0].get("reason")


def seed(given, group=None):
    q = "?group=" + urllib.parse.quote(group) if group else ""
    return json.loads(admin.call("POST", "/_fake/people/seed" + q, {"names": [{"givenName": given}]}))["resourceName"]


def list_all(**params):
    """Every connection following the client's own list_next; returns (items, responses)."""
    items, pages = [], []
    request = people.connections().list(resourceName="people/me", **params)
    while request is not None:
        page = request.execute()
        pages.append(page)
        items += page.get("connections", [])
        request = people.connections().list_next(request, page)
    return items, pages


def given(person):
    return (person.get("names") or [{}])[0].get("givenName")


state = {}


def check_person_fields_required():
    e = http_error(people.connections().list(resourceName="people/me"))
    expect(e.status_code == 400 and envelope(e)["status"] == "INVALID_ARGUMENT", "got %s %s" % (e.status_code, e))
    expect(e.reason.startswith("personFields mask is required"), "reason: %r" % e.reason)
    e = http_error(people.connections().list(resourceName="people/me", personFields="names", pageSize=1001))
    expect(e.status_code == 400, "pageSize 1001: got %s" % e.status_code)


def check_paging():
    state["seeded"] = [seed("Conf%03d" % i) for i in range(250)]
    items, pages = list_all(personFields="names,metadata", pageSize=100, requestSyncToken=True)
    sizes = [len(p.get("connections", [])) for p in pages]
    expect(sizes == [100, 100, 50], "page sizes %s" % sizes)
    expect(all("nextSyncToken" not in p for p in pages[:-1]), "a sync token before the last page")
    expect(pages[-1].get("nextSyncToken"), "no nextSyncToken on the last page")
    expect(pages[-1].get("totalItems") == 250, "totalItems %r" % pages[-1].get("totalItems"))
    expect(sorted(i["resourceName"] for i in items) == sorted(state["seeded"]), "not every contact listed once")
    state["sync"] = pages[-1]["nextSyncToken"]


def check_sync_delta():
    edited, deleted = state["seeded"][1], state["seeded"][2]
    admin.call("POST", "/_fake/people/edit?resourceName=" + edited, {"names": [{"givenName": "EditedInUI"}]})
    people.deleteContact(resourceName=deleted).execute()
    made = people.createContact(body={"names": [{"givenName": "MadeByClient"}]}, personFields="names").execute()
    items, pages = list_all(personFields="names", syncToken=state["sync"])
    by_name = {i["resourceName"]: i for i in items}
    expect(set(by_name) == {edited, deleted, made["resourceName"]}, "delta holds %s" % sorted(by_name))
    expect(given(by_name[edited]) == "EditedInUI", "edit not in the delta")
    expect(by_name[deleted].get("metadata", {}).get("deleted") is True, "deleted contact: %r" % by_name[deleted])
    state["sync"] = pages[-1]["nextSyncToken"]
    items, _ = list_all(personFields="names", syncToken=state["sync"])
    expect(items == [], "an unchanged account gave a delta of %d" % len(items))


def check_sync_expired():
    admin.call("POST", "/_fake/expire-sync-tokens")
    e = http_error(people.connections().list(resourceName="people/me", personFields="names", syncToken=state["sync"]))
    expect(e.status_code == 400 and envelope(e)["status"] == "FAILED_PRECONDITION", "got %s %s" % (e.status_code, e))
    expect(reason_of(e) == "EXPIRED_SYNC_TOKEN", "ErrorInfo reason %r" % reason_of(e))
    expect(isinstance(e.error_details, list) and e.error_details, "the client did not read the details")
    _, pages = list_all(personFields="names", requestSyncToken=True)
    expect(pages[-1].get("nextSyncToken"), "a full sync after expiry gave no token")


def check_create_update_etag():
    p = people.createContact(
        body={"names": [{"givenName": "Ada"}], "emailAddresses": [{"value": "ada@example.com", "type": "work"}],
              "clientData": [{"key": "almanac.origin", "value": "db:1"}]},
        personFields="names,emailAddresses,clientData,memberships").execute()
    expect(p["resourceName"].startswith("people/c") and p.get("etag"), "created: %r" % p)
    expect(p["clientData"][0]["value"] == "db:1", "clientData not kept")
    groups_of = [m["contactGroupMembership"]["contactGroupResourceName"] for m in p["memberships"]]
    expect(groups_of == ["contactGroups/myContacts"], "memberships %r" % groups_of)
    u = people.updateContact(resourceName=p["resourceName"], updatePersonFields="names",
                             body={"etag": p["etag"], "names": [{"givenName": "Augusta"}]}).execute()
    expect(given(u) == "Augusta" and u["etag"] != p["etag"], "update: %r" % u)
    expect(u["emailAddresses"][0]["value"] == "ada@example.com", "a field outside the mask was changed")
    state["person"], state["stale"] = u, p["etag"]


def check_stale_etag():
    name = state["person"]["resourceName"]
    e = http_error(people.updateContact(resourceName=name, updatePersonFields="names",
                                        body={"etag": state["stale"], "names": [{"givenName": "Old"}]}))
    expect(e.status_code == 400 and envelope(e)["status"] == "FAILED_PRECONDITION", "got %s %s" % (e.status_code, e))
    e = http_error(people.updateContact(resourceName=name, updatePersonFields="names",
                                        body={"names": [{"givenName": "NoEtag"}]}))
    expect(e.status_code == 400 and "person.etag" in e.reason, "no etag: %s" % e)
    e = http_error(people.updateContact(resourceName=name, body={"etag": state["person"]["etag"]}))
    expect(e.status_code == 400 and "updatePersonFields" in e.reason, "no mask: %s" % e)
    got = people.get(resourceName=name, personFields="names").execute()
    expect(given(got) == "Augusta", "a refused update changed the contact")


def check_batch_get():
    a, gone = state["person"]["resourceName"], seed("GoneBeforeRead")
    people.deleteContact(resourceName=gone).execute()
    r = people.getBatchGet(resourceNames=[a, gone], personFields="names").execute()
    statuses = [(x["requestedResourceName"], x.get("httpStatusCode")) for x in r["responses"]]
    expect(statuses == [(a, 200), (gone, 404)], "answers %r" % statuses)
    expect(given(r["responses"][0]["person"]) == "Augusta", "person %r" % r["responses"][0])


def contacts(n, prefix):
    return [{"contactPerson": {"names": [{"givenName": "%s%d" % (prefix, i)}]}} for i in range(n)]


def check_batch_create():
    e = http_error(people.batchCreateContacts(body={"contacts": contacts(201, "Over"), "readMask": "names"}))
    expect(e.status_code == 400, "201 contacts: got %s" % e.status_code)
    r = people.batchCreateContacts(body={"contacts": contacts(200, "Batch"), "readMask": "names"}).execute()
    made = [c["person"] for c in r["createdPeople"]]
    expect(len(made) == 200 and [given(m) for m in made] == ["Batch%d" % i for i in range(200)], "created %d" % len(made))
    state["batch"] = made


def check_batch_update():
    made = state["batch"]
    over = {m["resourceName"]: {"etag": m["etag"], "names": [{"givenName": "X"}]} for m in made}
    over[state["person"]["resourceName"]] = {"etag": state["person"]["etag"]}
    e = http_error(people.batchUpdateContacts(body={"contacts": over, "updateMask": "names", "readMask": "names"}))
    expect(e.status_code == 400, "201 updates: got %s" % e.status_code)
    ten = {m["resourceName"]: {"etag": m["etag"], "names": [{"givenName": "Upd" + given(m)}]} for m in made[:10]}
    stale = dict(ten)
    stale[made[3]["resourceName"]] = {"etag": "%stale", "names": [{"givenName": "Never"}]}
    e = http_error(people.batchUpdateContacts(body={"contacts": stale, "updateMask": "names", "readMask": "names"}))
    expect(e.status_code == 400 and envelope(e)["status"] == "FAILED_PRECONDITION", "stale: %s" % e)
    expect(made[3]["resourceName"] in e.reason, "the error does not name the stale contact: %r" % e.reason)
    unchanged = people.get(resourceName=made[0]["resourceName"], personFields="names").execute()
    expect(given(unchanged) == "Batch0", "a failed batch update changed a contact")
    r = people.batchUpdateContacts(body={"contacts": ten, "updateMask": "names", "readMask": "names"}).execute()
    result = r["updateResult"]
    expect(len(result) == 10 and given(result[made[0]["resourceName"]]["person"]) == "UpdBatch0", "result %r" % r)


def check_batch_delete():
    names = [m["resourceName"] for m in state["batch"]]
    e = http_error(people.batchDeleteContacts(body={"resourceNames": names * 3}))
    expect(e.status_code == 400, "600 names: got %s" % e.status_code)
    e = http_error(people.batchDeleteContacts(body={"resourceNames": names[:3] + ["people/c404"]}))
    expect(e.status_code == 404, "unknown name: got %s" % e.status_code)
    expect(people.get(resourceName=names[0], personFields="names").execute(), "a failed batch delete deleted")
    extra = [seed("Del%d" % i) for i in range(300)]
    people.batchDeleteContacts(body={"resourceNames": names + extra}).execute()
    e = http_error(people.get(resourceName=names[0], personFields="names"))
    expect(e.status_code == 404, "deleted contact still readable: %s" % e.status_code)


def check_groups():
    g = groups.create(body={"contactGroup": {"name": "Google Sync"}}).execute()
    expect(g["resourceName"].startswith("contactGroups/") and g["groupType"] == "USER_CONTACT_GROUP", "group %r" % g)
    e = http_error(groups.create(body={"contactGroup": {"name": "Google Sync"}}))
    expect(e.status_code == 409, "duplicate name: got %s" % e.status_code)
    listed = groups.list(pageSize=1000).execute()
    names = {x["resourceName"] for x in listed["contactGroups"]}
    expect({"contactGroups/myContacts", g["resourceName"]} <= names, "list: %s" % sorted(names))
    expect(listed.get("nextSyncToken"), "groups list gave no sync token")
    state["group"] = g


def check_members_modify():
    g = state["group"]["resourceName"]
    a, b = seed("MemberA"), seed("MemberB")
    r = groups.members().modify(resourceName=g, body={"resourceNamesToAdd": [a, b, "people/c404"]}).execute()
    expect(r.get("notFoundResourceNames") == ["people/c404"], "modify: %r" % r)
    got = groups.get(resourceName=g, maxMembers=10).execute()
    expect(got["memberCount"] == 2 and sorted(got["memberResourceNames"]) == sorted([a, b]), "get: %r" % got)
    person = people.get(resourceName=a, personFields="memberships").execute()
    member_of = [m["contactGroupMembership"]["contactGroupResourceName"] for m in person["memberships"]]
    expect(g in member_of, "memberships of the contact: %r" % member_of)
    groups.members().modify(resourceName=g, body={"resourceNamesToRemove": [b]}).execute()
    expect(groups.get(resourceName=g).execute()["memberCount"] == 1, "a removed member is still counted")
    only = seed("OnlyInGroup", group="Solo")
    solo = json.loads(admin.call("GET", "/_fake/people/groups"))["groups"]["Solo"]
    mine = "contactGroups/myContacts"
    groups.members().modify(resourceName=mine, body={"resourceNamesToRemove": [only]}).execute()
    r = groups.members().modify(resourceName=solo, body={"resourceNamesToRemove": [only]}).execute()
    expect(r.get("canNotRemoveLastContactGroupResourceNames") == [only], "last group: %r" % r)
    e = http_error(groups.members().modify(resourceName="contactGroups/friends", body={"resourceNamesToAdd": [a]}))
    expect(e.status_code == 400, "deprecated system group took a member: %s" % e.status_code)
    groups.delete(resourceName=g).execute()
    e = http_error(groups.get(resourceName=g))
    expect(e.status_code == 404, "deleted group still readable")


def check_quota_429_retry():
    admin.call("POST", "/_fake/people/quota?reads=1&window=1")
    try:
        people.connections().list(resourceName="people/me", personFields="names", pageSize=1).execute()
        page = people.connections().list(resourceName="people/me", personFields="names", pageSize=1).execute(
            num_retries=8)
    finally:
        admin.call("POST", "/_fake/people/quota?reads=0")
    expect(len(page.get("connections", [])) == 1, "the retried list gave %r" % page)
    log = [x for x in admin.log() if x["path"] == "/v1/people/me/connections"]
    refused = [x for x in log if x["status"] == 429]
    expect(refused and all(x.get("retry_after", 0) >= 1 for x in refused), "no 429 with Retry-After in %s" % log[-4:])
    expect(log[-1]["status"] == 200, "the last attempt was not answered 200: %s" % log[-1])


run("connections.person_fields_required_400", check_person_fields_required)
run("connections.paging_list_next_sync_token_last", check_paging)
run("connections.sync_token_delta_deleted", check_sync_delta)
run("connections.sync_token_expired_400", check_sync_expired)
run("people.create_update_with_etag", check_create_update_etag)
run("people.update_stale_or_missing_etag_400", check_stale_etag)
run("people.get_batch_get_per_name_status", check_batch_get)
run("people.batch_create_200_and_201", check_batch_create)
run("people.batch_update_limit_and_all_or_nothing", check_batch_update)
run("people.batch_delete_500_and_limit", check_batch_delete)
run("groups.create_list_duplicate_409", check_groups)
run("groups.members_modify", check_members_modify)
run("quota.429_retry_after", check_quota_429_retry)
