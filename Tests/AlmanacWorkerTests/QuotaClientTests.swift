import Testing

@testable import AlmanacWorker

@Suite("quota client", .timeLimit(.minutes(5)))
struct QuotaClientTests {
    /// A run with more asks granted at once than the client keeps round trips of: `grants=` in the
    /// log counts every ask, the figures come from the latest `maxSamples`.
    @Test func theCountIsEveryAskGrantedAtOnceNotTheSamplesKept() throws {
        let client = QuotaClient(events: EventChannel(fd: -1))
        let asks = QuotaClient.maxSamples + 10
        for i in 0..<asks { client.record(Double(i)) }
        let r = try #require(client.takeRoundTrips())
        #expect(r.count == asks)
        // The 10 oldest (0 µs to 9 µs) were overwritten: the median of 10…asks-1 and its largest.
        #expect(r.p50 == Double(10 + QuotaClient.maxSamples / 2 - 1))
        #expect(r.max == Double(asks - 1))
        #expect(client.takeRoundTrips()?.count == nil, "taken: forgotten")
        client.record(7)
        #expect(client.takeRoundTrips()?.count == 1)
    }
}
