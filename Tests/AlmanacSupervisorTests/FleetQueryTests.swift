import AlmanacWire
import Foundation
import Testing

@testable import AlmanacSupervisor

/// The web console's paging query of `GET /v1/profiles`, without a daemon.
@Suite(.timeLimit(.minutes(10)))
struct FleetQueryTests {
    static func status(_ name: String, _ state: String, health: String? = nil, configError: Bool = false)
        -> ProfileStatus
    {
        var s = ProfileStatus(
            name: name, state: state, since: Date(timeIntervalSince1970: 0), restarts: 0, enabled: true)
        s.health = health
        s.configError = configError ? ["\(name).toml: broken"] : nil
        return s
    }

    /// By name, as `GET /v1/profiles` lists them.
    static let fleet = [
        status("alpha", "idle", health: "ok"), status("bravo", "backoff"), status("charlie", "idle", health: "failing"),
        status("delta", "disabled"), status("echo", "idle", configError: true), status("foxtrot", "fatal"),
        status("golf", "invalid"), status("hotel", "syncing", health: "ok"),
    ]

    @Test func withoutPagingParametersTheListIsLeftAsItWas() {
        #expect(FleetQuery.parse([:]) == .everything)
        #expect(FleetQuery.parse(["tail": "5", "job": "x"]) == .everything)
    }

    @Test func failingProfilesComeFirstThenByNameAndThePageCarriesItsNumbers() throws {
        let query = try #require(FleetQuery.parse(["limit": "3"]).query)
        let page = query.page(Self.fleet)
        #expect(page.profiles.map(\.name) == ["bravo", "charlie", "echo"])
        #expect(page.total == 8 && page.failing == 5 && page.offset == 0 && page.limit == 3)
        let rest = try #require(FleetQuery.parse(["offset": "3", "limit": "100"]).query).page(Self.fleet)
        #expect(rest.profiles.map(\.name) == ["foxtrot", "golf", "alpha", "delta", "hotel"])
        #expect(rest.failing == 5, "the count is of every match, not of the page")
        #expect(try #require(FleetQuery.parse(["offset": "99"]).query).page(Self.fleet).profiles.isEmpty)
    }

    @Test func textAndStateFilter() throws {
        func names(_ q: [String: String]) throws -> [String] {
            try #require(FleetQuery.parse(q).query).page(Self.fleet).profiles.map(\.name)
        }
        #expect(try names(["q": "HO"]) == ["echo", "hotel"])
        #expect(try names(["state": "idle"]) == ["charlie", "echo", "alpha"])
        #expect(try names(["state": "disabled,syncing"]) == ["delta", "hotel"])
        #expect(try names(["state": "failing"]) == ["bravo", "charlie", "echo", "foxtrot", "golf"])
        #expect(try names(["state": "failing", "q": "o"]) == ["bravo", "echo", "foxtrot", "golf"])
        #expect(try names(["q": "", "state": ""]).count == 8)
    }

    @Test(arguments: [
        ["state": "asleep"], ["state": "idle,,x"], ["limit": "0"], ["limit": "1001"], ["limit": "ten"],
        ["offset": "-1"], ["offset": ""],
    ])
    func badValuesAreRefusedWithTheReason(_ query: [String: String]) {
        guard case .invalid(let message) = FleetQuery.parse(query) else {
            Issue.record("\(query) was accepted")
            return
        }
        #expect(message.contains(query.keys.first!), "\(message)")
    }
}
