import Testing

@testable import FileConnectorSupport

/// A sink marker's name must not change across versions: a marker written before an upgrade that
/// is not found again lets a removed target file read as empty.
@Suite(.timeLimit(.minutes(10))) struct SinkMarkerNameTests {
    @Test func theNameHashIsTheOneMarkersWereWrittenWith() {
        #expect(SinkMarker.nameHash("/var/lib/almanac/out.csv") == "00cfdbef2aeea2c3")
        #expect(SinkMarker.nameHash("") == "af63d24c8601db8e")
    }
}
