import AlmanacCore
import AlmanacTestKit
import Testing

/// The conformance suite's contact checks (`ContactConformance`) on the xml connector, each over
/// a new empty file.
@Suite(.timeLimit(.minutes(10))) struct XMLContactConformanceTests {
    @Test(arguments: ContactConformance.checks)
    func contacts(_ check: ContactCheck) throws {
        let store = XMLContactsStore()
        defer { store.scratch.cleanup() }
        try check.run(ContactFixture(envelopes: try store.fixture()))
    }
}
