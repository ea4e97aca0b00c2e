import AlmanacCore
import AlmanacTestKit
import Foundation

/// Open defects that the model test steps around until their fixes are merged: each one switches off the mutations that reach it.
/// Remove a case once its fix is in, and the test covers it again.
enum KnownDefect: String, CaseIterable, Sendable {
    /// Found by this test: the state is lost while a calendar event that almanac wrote a row back
    /// from is out of the window and its row in it. The row's key is the write-back id of the
    /// event's key, which cannot be reversed, and no lookup reaches the event: the row is taken
    /// for a new one and gets an event of its own. Stepped around by not losing the state while
    /// such an event is away, and by changing nothing after a loss in its round. (`model.2`, the
    /// other items away at a loss, is fixed: they are looked up by create id and linked.)
    case lostStateWrittenBackEventAway = "model.3"
}

/// What a model run covers: seeds, rounds, and the defects it steps around.
struct ModelSettings: Sendable {
    var seeds: [UInt64]
    /// Rounds per seed; each seed runs episodes of `episodeRounds` rounds, one configuration each.
    var rounds: Int
    var episodeRounds: Int
    var knownDefects: Set<KnownDefect>

    /// What `make test` runs: 6 seeds × 60 rounds, in episodes of 12.
    static let standard = ModelSettings(
        seeds: [1, 2, 3, 4, 5, 6], rounds: 60, episodeRounds: 12, knownDefects: Set(KnownDefect.allCases))

    /// `standard`, overridden by the environment:
    /// `ALMANAC_MODEL_SEED` (one seed, or a list `1,7,9`, or a range `1-40`), `ALMANAC_MODEL_ROUNDS`
    /// (rounds per seed), `ALMANAC_MODEL_EPISODE` (rounds per configuration), and
    /// `ALMANAC_MODEL_DEFECTS` (the known defects to step around: `all`, `none`, or a list of
    /// case numbers such as `model.1`).
    static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> ModelSettings {
        var s = standard
        if let text = env["ALMANAC_MODEL_SEED"], let seeds = parseSeeds(text) { s.seeds = seeds }
        if let r = env["ALMANAC_MODEL_ROUNDS"].flatMap({ Int($0) }), r > 0 { s.rounds = r }
        if let e = env["ALMANAC_MODEL_EPISODE"].flatMap({ Int($0) }), e > 0 { s.episodeRounds = e }
        if let d = env["ALMANAC_MODEL_DEFECTS"] {
            switch d {
            case "all": s.knownDefects = Set(KnownDefect.allCases)
            case "none", "": s.knownDefects = []
            default: s.knownDefects = Set(d.split(separator: ",").compactMap { KnownDefect(rawValue: String($0)) })
            }
        }
        return s
    }

    static func parseSeeds(_ text: String) -> [UInt64]? {
        if let dash = text.firstIndex(of: "-"), let a = UInt64(text[..<dash]),
            let b = UInt64(text[text.index(after: dash)...]), a <= b
        {
            return Array(a...b)
        }
        let list = text.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        return list.isEmpty ? nil : list
    }
}

/// The calendar an episode syncs with.
enum CalendarKind: String, CaseIterable, Sendable {
    case google, cronofy
}

/// One episode's job settings: the calendar, the conflict policy, `apply` and `apply_back`.
struct EpisodeConfig: Sendable, CustomStringConvertible {
    var calendar: CalendarKind
    var conflict: ConflictPolicy
    var apply: ApplyFlags
    var applyBack: ApplyFlags

    /// The `index`-th configuration of a seed: the calendar and policy cycle, and the eight
    /// `apply` and eight `apply_back` combinations are walked so every pair appears over 64
    /// episodes (offset by the seed, so short runs of several seeds see different ones).
    static func nth(_ index: Int, seed: UInt64) -> EpisodeConfig {
        let i = index + Int(seed % 64)
        func flags(_ n: Int) -> ApplyFlags { ApplyFlags(create: n & 1 != 0, update: n & 2 != 0, delete: n & 4 != 0) }
        return EpisodeConfig(
            calendar: CalendarKind.allCases[i % 2], conflict: ConflictPolicy.allCases[(i / 2) % 3],
            apply: flags(i % 8), applyBack: flags((i / 8 + i) % 8))
    }

    var description: String {
        func f(_ a: ApplyFlags) -> String { "{create=\(a.create), update=\(a.update), delete=\(a.delete)}" }
        return "\(calendar) conflict=\(conflict.rawValue) apply=\(f(apply)) apply_back=\(f(applyBack))"
    }
}

extension SeededRandom {
    /// Starts from `seed` spread over the state's bits (small seeds give unrelated sequences).
    init(seed: UInt64) { self.init(state: seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x2545_F491_4F6C_DD1D) }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    /// One of `values` (not empty).
    mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &self)] }
}
