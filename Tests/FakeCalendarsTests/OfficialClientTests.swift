import AlmanacTestKit
import Foundation
import Testing

/// The fakes as Google's (Calendar v3, People v1) and Cronofy's own client libraries see them: every
/// behaviour the connectors rely on, checked by `contrib/conformance/*_checks.py` against `almanac-fakes`.
@Suite(
    "fakes accepted by the official client libraries", .serialized, .timeLimit(.minutes(10)),
    .enabled(if: OfficialClientVenv.enabled, Comment(rawValue: OfficialClientVenv.missing)))
struct OfficialClientTests {
    static let google = [
        "oauth.refresh_grant", "oauth.second_client", "oauth.invalid_client", "oauth.invalid_grant",
        "events.insert.client_id_valid", "events.insert.client_id_invalid_400", "events.get",
        "events.get.if_none_match_304", "events.patch.merges", "events.update.if_match_412_then_replaces",
        "events.delete", "events.delete.deleted_410", "events.insert.deleted_id_409",
        "events.list.time_bounds_exclusive", "events.list.paging_until_next_sync_token",
        "events.list.sync_token_delta", "events.list.sync_token_expired_410",
        "events.list.updated_min_includes_deleted", "events.list.private_extended_property_all_match",
        "events.list.show_deleted", "events.list.single_events_recurring", "events.instances.exceptions",
        "query.flags_true_True_1",
        "errors.envelope", "batch.50_parts", "batch.1000_parts", "batch.1001_parts_400",
        "batch.part_statuses_409_412", "batch.part_status_429",
    ]

    static let people = [
        "connections.person_fields_required_400", "connections.paging_list_next_sync_token_last",
        "connections.sync_token_delta_deleted", "connections.sync_token_expired_400",
        "people.create_update_with_etag", "people.update_stale_or_missing_etag_400",
        "people.get_batch_get_per_name_status",
        "people.batch_create_200_and_201", "people.batch_update_limit_and_all_or_nothing",
        "people.batch_delete_500_and_limit", "groups.create_list_duplicate_409", "groups.members_modify",
        "quota.429_retry_after",
    ]

    static let cronofy = [
        "oauth.refresh", "oauth.invalid_client_and_grant", "setup.readonly_calendar", "calendars.list",
        "events.upsert_create", "events.upsert_update", "events.read.include_managed", "events.read.tzid",
        "events.read.from_to", "events.read.last_modified", "events.delete_and_include_deleted",
        "events.read.paging_next_page", "query.flags_true_True_1", "batch.all_valid", "batch.partly_invalid_207",
        "calendars.readonly_422", "errors.envelope_422",
    ]

    func expectAllPassed(
        _ expected: [String],
        _ run: (
            checks: [String: OfficialClients.Check], status: Int32,
            stderr: String
        )
    ) {
        #expect(run.status == 0, "the script failed: \(run.stderr)")
        #expect(Set(run.checks.keys) == Set(expected), "checks run: \(run.checks.keys.sorted())")
        for name in expected {
            let check = run.checks[name]
            #expect(check?.ok == true, "\(name): \(check?.detail ?? "not run")")
        }
    }

    @Test func googleCalendarV3() throws {
        let run = try OfficialClients.run(
            service: "google", script: "google_checks.py",
            arguments: ["--second-client-id", "second", "--second-client-secret-file", "DIR/secret2"])
        expectAllPassed(Self.google, run)
    }

    @Test func googlePeopleV1() throws {
        let run = try OfficialClients.run(service: "google", script: "people_checks.py", arguments: [])
        expectAllPassed(Self.people, run)
    }

    @Test func cronofy() throws {
        let run = try OfficialClients.run(
            service: "cronofy", script: "cronofy_checks.py", arguments: ["--calendar", "cal_conformance"])
        expectAllPassed(Self.cronofy, run)
    }
}
