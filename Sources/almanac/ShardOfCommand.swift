import AlmanacCore
import ArgumentParser

struct ShardOfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shard-of",
        abstract: "Print the shard (0 to N-1) a profile falls on when N daemons share its profiles directory.",
        discussion: """
            The daemon started with --shard K/N runs the profile when this prints K. The answer depends \
            on the name and N only (rendezvous hashing on SHA-256): the same on every host; going from \
            N to N+1 shards moves about 1/(N+1) of the profiles, each to the new shard.
            """
    )

    @Argument(help: "The profile's name (its file is NAME.toml).") var name: String
    @Option(help: "How many shards (daemons) there are.") var shards: Int

    func validate() throws {
        guard ProfileFile.isValidName(name) else {
            throw ValidationError("not a profile name (1 to 64 letters and digits): \(name)")
        }
        guard (1...Shard.maxCount).contains(shards) else {
            throw ValidationError("--shards takes a number from 1 to \(Shard.maxCount), got \(shards)")
        }
    }

    func run() {
        print(Shard.of(name, count: shards))
    }
}
