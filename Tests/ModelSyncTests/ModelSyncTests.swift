import Foundation
import Testing

/// Model-based random test of two-way sync: an SQLite table read and written through the SQLite3
/// ODBC driver, and the fake Google or Cronofy through the real connectors, changed at random on
/// both sides every round; after every run both sides must equal what `SyncModel` predicts, and
/// the next run must have nothing to do. Seeded and repeatable: a failure prints its seed, round
/// and the changes that led there; `ALMANAC_MODEL_SEED=N` replays one seed, and
/// `ALMANAC_MODEL_ROUNDS` lengthens the run (see `ModelSettings`; `make soak` runs many seeds).
@Suite("model-based two-way sync", .serialized, .timeLimit(.minutes(20)))
struct ModelSyncTests {
    @Test func randomRoundsMatchTheModel() throws {
        let settings = ModelSettings.fromEnvironment()
        var played = 0
        var started = Date()
        for seed in settings.seeds {
            started = Date()
            let rounds = try play(seed: seed, settings: settings)
            played += rounds
            print(
                "model seed \(seed): \(rounds) rounds in \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
            )
        }
        print(
            "model: \(played) rounds over \(settings.seeds.count) seeds; known defects stepped around: "
                + settings.knownDefects.map(\.rawValue).sorted().joined(separator: ", "))
        #expect(played >= settings.rounds * settings.seeds.count)
    }

    /// Plays one seed: episodes of `episodeRounds` rounds until `rounds`; stops at the first
    /// failure, which it records with what replays it. Returns the rounds played.
    func play(seed: UInt64, settings: ModelSettings) throws -> Int {
        var played = 0
        var index = 0
        while played < settings.rounds {
            let config = EpisodeConfig.nth(index, seed: seed)
            let episode = try Episode(
                config: config, seed: seed &* 1_000 &+ UInt64(index), known: settings.knownDefects)
            for _ in 0..<min(settings.episodeRounds, settings.rounds - played) {
                played += 1
                if let failure = try episode.round(played) {
                    Issue.record(
                        Comment(
                            rawValue: """
                                model: seed \(seed), episode \(index) (\(config)), round \(played):
                                \(failure)
                                changes so far in this episode (replay: ALMANAC_MODEL_SEED=\(seed)):
                                \(episode.replay)
                                """))
                    return played
                }
            }
            index += 1
        }
        return played
    }
}
