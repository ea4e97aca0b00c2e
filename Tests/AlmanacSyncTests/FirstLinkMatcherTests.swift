import AlmanacCore
import AlmanacSync
import Foundation
import Testing

/// `FirstLinkMatcher` and `MatchValue`: normalisation, one-to-one pairs, ambiguity in both
/// directions, items without a counterpart.
@Suite(.timeLimit(.minutes(10)))
struct FirstLinkMatcherTests {
    typealias C = FirstLinkMatcher.Candidate

    static func text(_ s: String) -> MatchValue { MatchValue.text(s)! }

    @Test(arguments: [
        ("Checkup Ann", "checkup ann"),
        ("  Checkup\t Ann \n", "CHECKUP ANN"),
        ("Straße", "STRASSE"),
        ("Ärztin  Müller", "ärztin müller"),
    ])
    func textIsCaseFoldedWithWhiteSpaceCollapsedAndTrimmed(_ a: String, _ b: String) {
        #expect(MatchValue.text(a) == MatchValue.text(b))
        #expect(MatchValue.text(a) != nil)
    }

    @Test func differentTextsStayDifferentAndBlankIsNoValue() {
        #expect(MatchValue.text("Checkup Ann") != MatchValue.text("Checkup Anne"))
        #expect(MatchValue.text("Check up") != MatchValue.text("Checkup"))
        #expect(MatchValue.text(nil) == nil)
        #expect(MatchValue.text(" \t\n") == nil)
        #expect(MatchValue.text("") == nil)
    }

    @Test func instantsCompareWhateverTheirZone() {
        let d = Date(timeIntervalSince1970: 1_899_158_400)
        #expect(
            MatchValue.time(.instant(d, timeZone: "America/Chicago")) == MatchValue.time(.instant(d, timeZone: "UTC")))
        #expect(MatchValue.time(.instant(d, timeZone: nil)) == MatchValue.instant(d.addingTimeInterval(0.4)))
        #expect(MatchValue.instant(d) != MatchValue.instant(d.addingTimeInterval(60)))
        // A date is not an instant, even midnight.
        let day = CivilDate(year: 2030, month: 3, day: 8)
        #expect(MatchValue.time(.allDay(day)) != MatchValue.time(.instant(d, timeZone: "UTC")))
        #expect(MatchValue.time(.allDay(day)) == MatchValue.day(day))
    }

    @Test func oneToOneItemsArePairedAndTheRestLeftOut() {
        let r = FirstLinkMatcher.match(
            from: [
                C(key: "a1", values: [Self.text("x"), .instant(100)]),
                C(key: "a2", values: [Self.text("y"), .instant(100)]),
                C(key: "a3", values: [Self.text("z"), .instant(100)]),
            ],
            to: [
                C(key: "t2", values: [Self.text("y"), .instant(100)]),
                C(key: "t1", values: [Self.text("x"), .instant(100)]),
                C(key: "t9", values: [Self.text("x"), .instant(160)]),
            ])
        #expect(r.pairs.map { "\($0.from)=\($0.to)" } == ["a1=t1", "a2=t2"])
        #expect(r.ambiguous.isEmpty)
    }

    @Test func oneFromMatchingSeveralToIsAmbiguous() {
        let r = FirstLinkMatcher.match(
            from: [C(key: "a1", values: [Self.text("x")]), C(key: "a2", values: [Self.text("y")])],
            to: [
                C(key: "t1", values: [Self.text("x")]), C(key: "t2", values: [Self.text("x")]),
                C(key: "t3", values: [Self.text("y")]),
            ])
        #expect(r.pairs.map { "\($0.from)=\($0.to)" } == ["a2=t3"])
        #expect(r.ambiguous == [AmbiguousMatch(from: ["a1"], to: ["t1", "t2"])])
    }

    @Test func severalFromMatchingOneToIsAmbiguous() {
        let r = FirstLinkMatcher.match(
            from: [
                C(key: "a2", values: [Self.text("x")]), C(key: "a1", values: [Self.text("x")]),
                C(key: "a3", values: [Self.text("x")]), C(key: "b1", values: [Self.text("w")]),
                C(key: "b2", values: [Self.text("w")]),
            ],
            to: [
                C(key: "t1", values: [Self.text("x")]), C(key: "u1", values: [Self.text("w")]),
                C(key: "u2", values: [Self.text("w")]),
            ])
        #expect(r.pairs.isEmpty)
        #expect(
            r.ambiguous == [
                AmbiguousMatch(from: ["a1", "a2", "a3"], to: ["t1"]),
                AmbiguousMatch(from: ["b1", "b2"], to: ["u1", "u2"]),
            ])
        #expect(r.ambiguous[0].description == "a1, a2, a3 (from) ~ t1 (to)")
    }

    @Test func duplicatesOnOneSideWithNothingOnTheOtherAreNotAmbiguous() {
        let r = FirstLinkMatcher.match(
            from: [C(key: "a1", values: [Self.text("x")]), C(key: "a2", values: [Self.text("x")])],
            to: [C(key: "t1", values: [Self.text("y")]), C(key: "t2", values: [Self.text("y")])])
        #expect(r.pairs.isEmpty && r.ambiguous.isEmpty)
    }

    @Test func everyValueOfTheKeyMustAgree() {
        let r = FirstLinkMatcher.match(
            from: [C(key: "a1", values: [Self.text("x"), .instant(100)])],
            to: [C(key: "t1", values: [Self.text("x"), .instant(101)]), C(key: "t2", values: [Self.text("x")])])
        #expect(r.pairs.isEmpty && r.ambiguous.isEmpty)
    }
}
