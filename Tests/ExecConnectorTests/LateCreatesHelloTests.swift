import AlmanacCore
import Foundation
import Testing

@testable import ExecConnector

/// A plugin for a service that picks the keys of what it creates declares `late_creates` in its
/// hello (docs/CONNECTOR-PROTOCOL.md §3.1), and the engine holds its unanswered creates as it
/// does Google Contacts' (`Connector.lateCreates`, LateCreateTests).
@Suite(.timeLimit(.minutes(10)))
struct LateCreatesHelloTests {
    static func hello(_ late: String) throws -> PluginHello? {
        let text =
            #"{"v":1,"type":"hello","protocol":1,"name":"crm","version":"1","capabilities":["read","write"]"#
            + (late.isEmpty ? "" : #","late_creates":"# + late) + "}"
        return PluginHello(try #require(try JSONParser.parse(text).object))
    }

    @Test func theHelloSaysHowLongACreateMayLandAndHowManyACallCarries() throws {
        #expect(try Self.hello("")?.lateCreates == nil)
        #expect(try Self.hello("null")?.lateCreates == nil)
        #expect(try Self.hello(#"{"window_s":90,"per_call":50}"#)?.lateCreates == LateCreates(window: 90, perCall: 50))
        #expect(try Self.hello(#"{"window_s":0.5,"per_call":1}"#)?.lateCreates == LateCreates(window: 0.5, perCall: 1))
        // A hello that says it wrongly is refused, as any malformed hello is.
        for bad in [
            #"{"window_s":0,"per_call":5}"#, #"{"window_s":90,"per_call":0}"#, #"{"window_s":90}"#,
            #"{"per_call":5}"#, #"{"window_s":"90","per_call":5}"#, #"{"window_s":90,"per_call":2.5}"#,
            #"{"window_s":86401,"per_call":5}"#, "true",
        ] {
            #expect(try Self.hello(bad) == nil, "\(bad)")
        }
    }

    /// Through a plugin process: the connector carries what its hello declared, and the hello
    /// passes the protocol's schema.
    @Test func thePluginsConnectorCarriesIt() throws {
        let dir = try ExecContactConformanceTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let late = try ExecContactConformanceTests.connector(dir, extra: ["--late-creates", "45", "5"])
        #expect(late.lateCreates == LateCreates(window: 45, perCall: 5))
        late.process.shutdown()
        #expect(try ExecContactConformanceTests.schemaErrors(dir) == [])
        let plain = try ExecContactConformanceTests.connector(dir)
        #expect(plain.lateCreates == nil)
        plain.process.shutdown()
    }
}
