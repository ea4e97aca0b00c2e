import AlmanacCore
import AlmanacTestKit
import Foundation
import Testing

/// almanac's expander against python-dateutil's `rrule` (contrib/conformance/rrule_expand.py, run
/// once with every case in one JSON batch): 300 seeded rules, each in three zones with DST gaps
/// and overlaps (one with a 30-minute shift) and as an all-day series, compared instant by instant
/// inside the same window.
@Suite(
    "RRULE expansion agrees with python-dateutil", .serialized, .timeLimit(.minutes(10)),
    .enabled(if: OfficialClientVenv.enabled, Comment(rawValue: OfficialClientVenv.missing)))
struct DateutilAgreementTests {
    static let zones = ["America/Chicago", "Europe/Berlin", "Australia/Lord_Howe"]
    static let ruleCount = 300

    struct Case: Encodable {
        var id: String
        /// An IANA zone, or empty for an all-day series.
        var zone: String
        var dtstart: String
        var rrule: String
        var rdates: [String]
        var exdates: [String]
        var window: [Int]
    }

    @Test func seededRulesInThreeZones() throws {
        var generator = RuleGenerator(seed: 0x5EED_2026_1203)
        var cases: [Case] = []
        var sets: [String: RecurrenceSet] = [:]
        var excluded: [String] = []
        for n in 0..<Self.ruleCount {
            let sample = generator.next()
            if Self.dateutilCutsTheFirstWeek(sample) {
                excluded.append(sample.rule.text)
                continue
            }
            // The generated rule goes through its text, as a stored rule would.
            let rule = try RecurrenceRule(parsing: sample.rule.text)
            #expect(rule == sample.rule, "\(sample.rule.text) did not round-trip")
            for zone in Self.zones {
                let id = "\(n)/\(zone)"
                sets[id] = try RecurrenceSet(
                    start: .zoned(sample.start, TimeZone(identifier: zone)!), rules: [rule],
                    rdates: sample.rdates.map { .local($0) }, exdates: sample.exdates.map { .local($0) })
                cases.append(
                    Case(
                        id: id, zone: zone, dtstart: Self.iso(sample.start), rrule: rule.text,
                        rdates: sample.rdates.map(Self.iso), exdates: sample.exdates.map(Self.iso),
                        window: [sample.window.lowerBound, sample.window.upperBound]))
            }
            // The same rule on an all-day series (UNTIL as a date, as RFC 5545 wants with a DATE
            // DTSTART); dateutil gets naive midnights, both sides report each day's 00:00 UTC.
            var dayRule = rule
            if case .utc(let w) = rule.until { dayRule.until = .date(w.date) }
            let id = "\(n)/all-day"
            sets[id] = try RecurrenceSet(
                start: .allDay(sample.start.date), rules: [dayRule], rdates: sample.rdates.map { .date($0.date) },
                exdates: sample.exdates.map { .date($0.date) })
            cases.append(
                Case(
                    id: id, zone: "", dtstart: "\(sample.start.date)", rrule: dayRule.text,
                    rdates: sample.rdates.map { "\($0.date)" }, exdates: sample.exdates.map { "\($0.date)" },
                    window: [sample.window.lowerBound, sample.window.upperBound]))
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-rrule-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("cases.json")
        try JSONEncoder().encode(["cases": cases]).write(to: input)
        let run = try OfficialClientVenv.run("rrule_expand.py", [input.path])
        #expect(run.status == 0, "rrule_expand.py: \(run.stderr)")
        let theirs = try JSONDecoder().decode([String: [Int]].self, from: run.stdout)
        #expect(theirs.count == cases.count)
        // At least 200 rules × 3 zones are compared; the excluded ones are few and all of one kind.
        let zoned = cases.filter { !$0.zone.isEmpty }.count
        #expect(zoned >= 600 && excluded.count < 50, "\(zoned) zoned cases, excluded: \(excluded)")

        var agreed = 0
        var instances = 0
        var (gaps, folds) = (0, 0)
        var mismatches: [String] = []
        for c in cases {
            let window =
                Date(timeIntervalSince1970: Double(c.window[0]))..<Date(timeIntervalSince1970: Double(c.window[1]))
            let ours = sets[c.id]!.instances(from: window.lowerBound, to: window.upperBound)
                .map { Int($0.start.date(in: .gmt).timeIntervalSince1970) }
            if ours == theirs[c.id] {
                agreed += 1
                instances += ours.count
                if !c.zone.isEmpty && c.rdates.isEmpty { Self.countDST(ours, c, gaps: &gaps, folds: &folds) }
            } else if mismatches.count < 5 {
                let extra = Set(ours).subtracting(theirs[c.id] ?? []).sorted().prefix(3)
                let missing = Set(theirs[c.id] ?? []).subtracting(ours).sorted().prefix(3)
                mismatches.append(
                    "\(c.id) DTSTART \(c.dtstart) \(c.rrule) rdates \(c.rdates) exdates \(c.exdates) window \(c.window): "
                        + "ours \(ours.count), dateutil \(theirs[c.id]?.count ?? -1); only ours \(Array(extra)), only dateutil \(Array(missing))"
                )
            }
        }
        #expect(agreed == cases.count, "\(cases.count - agreed) cases disagree:\n\(mismatches.joined(separator: "\n"))")
        // The corpus must exercise something: many instances, and agreement on gap and overlap days.
        #expect(instances > 20_000, "only \(instances) instances compared")
        #expect(gaps >= 10 && folds >= 10, "instances compared in a DST gap: \(gaps), in an overlap: \(folds)")
    }

    /// Where dateutil and RFC 5545 part ways, so the case is left out of the comparison (and
    /// `RecurrenceDSTTests`/`RecurrenceRuleDateTests` pin almanac's reading instead): a WEEKLY rule
    /// with BYSETPOS whose DTSTART is not on WKST. dateutil's first weekly period starts at DTSTART
    /// instead of at the week's start (its `wdayset`), so BYSETPOS picks among a partial week; its
    /// MONTHLY and YEARLY periods, like RFC 5545's "interval", are whole. almanac applies BYSETPOS
    /// to the whole week (WKST to WKST) and then drops what falls before DTSTART, as for months.
    static func dateutilCutsTheFirstWeek(_ sample: RuleGenerator.Sample) -> Bool {
        sample.rule.frequency == .weekly && !sample.rule.bySetPos.isEmpty
            && RecurrenceRule.Weekday(sample.start.date) != sample.rule.weekStart
    }

    /// Counts the instances whose DTSTART wall time fell into a gap (the instance shows another
    /// wall time) or an overlap (the same wall time recurs up to an hour later).
    static func countDST(_ starts: [Int], _ c: Case, gaps: inout Int, folds: inout Int) {
        let zone = TimeZone(identifier: c.zone)!
        let time = String(c.dtstart.suffix(8))
        func wall(_ seconds: Int) -> String {
            let w = WallTime(Date(timeIntervalSince1970: Double(seconds)), in: zone)
            return String(format: "%02d:%02d:%02d", w.time.hour, w.time.minute, w.time.second)
        }
        for s in starts {
            if wall(s) != time {
                gaps += 1
            } else if wall(s + 1_800) == time || wall(s + 3_600) == time {
                folds += 1
            }
        }
    }

    static func iso(_ w: WallTime) -> String {
        String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", w.date.year, w.date.month, w.date.day, w.time.hour, w.time.minute,
            w.time.second)
    }
}
