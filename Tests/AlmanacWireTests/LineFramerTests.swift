import AlmanacWire
import Testing

@Suite struct LineFramerTests {
    @Test func splitsLinesAcrossFeeds() {
        var f = LineFramer()
        #expect(f.feed(Array("ab".utf8)) == [])
        #expect(f.feed(Array("c\nde\nf".utf8)) == [.line(Array("abc".utf8)), .line(Array("de".utf8))])
        #expect(f.flush() == Array("f".utf8))
    }

    @Test func dropsAnOversizedLineAndRecovers() {
        var f = LineFramer(limit: 4)
        #expect(f.feed(Array("12345".utf8)) == [])
        #expect(f.feed(Array("678\nok\n".utf8)) == [.oversized(bytes: 8), .line(Array("ok".utf8))])
    }

    @Test func oversizedWithinOneFeed() {
        var f = LineFramer(limit: 3)
        #expect(f.feed(Array("abcdef\nxy\n".utf8)) == [.oversized(bytes: 6), .line(Array("xy".utf8))])
    }

    @Test func exactlyAtTheLimitIsKept() {
        var f = LineFramer(limit: 3)
        #expect(f.feed(Array("abc\n".utf8)) == [.line(Array("abc".utf8))])
    }

    @Test func defaultLimitIsOneMebibyte() {
        #expect(LineFramer.defaultLimit == 1_048_576)
    }
}
