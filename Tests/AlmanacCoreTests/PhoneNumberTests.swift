import AlmanacCore
import Testing

/// Phone numbers as people type them, against the rules of `docs/PHONE-NUMBERS.md`. Expected: the
/// normalised value (`+E164` or `+E164;ext=N`), or `!` and the id of the reason it was kept.
@Suite("Phone numbers to E.164", .timeLimit(.minutes(10)))
struct PhoneNumberTests {
    static let cases: [(String, String?, String)] = [
        // United States and Canada (NANP).
        ("(415) 555-2671", "US", "+14155552671"),
        ("415.555.2671", "US", "+14155552671"),
        ("415-555-2671", "US", "+14155552671"),
        ("4155552671", "US", "+14155552671"),
        ("1-415-555-2671", "US", "+14155552671"),
        ("1 (415) 555-2671", "US", "+14155552671"),
        ("14155552671", "US", "+14155552671"),
        ("+1 415 555 2671", nil, "+14155552671"),
        ("+1-415-555-2671", "GB", "+14155552671"),
        ("001 415 555 2671", "GB", "+14155552671"),
        ("011 44 20 7946 0958", "US", "+442079460958"),
        ("(415) 555-2671 x123", "US", "+14155552671;ext=123"),
        ("415-555-2671 ext. 45", "US", "+14155552671;ext=45"),
        ("415 555 2671 Extension 9", "US", "+14155552671;ext=9"),
        ("415 555 2671 EXT:77", "US", "+14155552671;ext=77"),
        ("+1 415 555 2671;ext=7", nil, "+14155552671;ext=7"),
        ("tel:+1-201-555-0123;ext=1234", nil, "+12015550123;ext=1234"),
        ("416 555 0199", "CA", "+14165550199"),
        ("+1 416 555 0199", "ca", "+14165550199"),
        ("555-2671", "US", "!phone.not_in_numbering_plan"),
        ("(015) 555-2671", "US", "!phone.not_in_numbering_plan"),
        ("(415) 155-2671", "US", "!phone.not_in_numbering_plan"),
        ("+1 2", nil, "!phone.not_in_numbering_plan"),
        ("1-800-FLOWERS", "US", "!phone.letters"),
        // United Kingdom.
        ("020 7946 0958", "GB", "+442079460958"),
        ("020-7946-0958", "GB", "+442079460958"),
        ("(020) 7946 0958", "GB", "+442079460958"),
        ("+44 20 7946 0958", nil, "+442079460958"),
        ("+44 (0)20 7946 0958", nil, "+442079460958"),
        ("0044 20 7946 0958", "DE", "+442079460958"),
        ("0044 (0) 20 7946 0958", "US", "+442079460958"),
        ("07700 900123", "GB", "+447700900123"),
        ("07700-900-123", "GB", "+447700900123"),
        ("+447700900123", nil, "+447700900123"),
        ("01632 960123", "GB", "+441632960123"),
        ("0800 123 456", "GB", "+44800123456"),
        ("44 20 7946 0958", "GB", "+442079460958"),
        ("2079460958", "gb", "+442079460958"),
        ("020 7946 0958 x 22", "GB", "+442079460958;ext=22"),
        ("+44 20 7946 0958 ext 12", nil, "+442079460958;ext=12"),
        ("+44\u{00A0}20\u{00A0}7946\u{00A0}0958", nil, "+442079460958"),
        (
            "\u{FF10}\u{FF12}\u{FF10} \u{FF17}\u{FF19}\u{FF14}\u{FF16} \u{FF10}\u{FF19}\u{FF15}\u{FF18}", "GB",
            "+442079460958"
        ),
        ("020 7946", "GB", "!phone.not_in_numbering_plan"),
        ("020 7946 0958 0958", "GB", "!phone.not_in_numbering_plan"),
        ("0600 123 4567", "GB", "!phone.not_in_numbering_plan"),
        // Germany.
        ("030 12345678", "DE", "+493012345678"),
        ("030/12345678", "DE", "+493012345678"),
        ("(030) 1234 5678", "DE", "+493012345678"),
        ("+49 30 12345678", nil, "+493012345678"),
        ("+49 (0)30 12345678", nil, "+493012345678"),
        ("+49-30-123456-78", nil, "+493012345678"),
        ("030\u{2013}1234\u{2014}5678", "DE", "+493012345678"),
        ("0049 30 12345678", "FR", "+493012345678"),
        ("0151 23456789", "DE", "+4915123456789"),
        ("0171-1234567", "DE", "+491711234567"),
        ("089 123456", "DE", "+4989123456"),
        ("0301", "DE", "!phone.not_in_numbering_plan"),
        ("030 1234567890123", "DE", "!phone.not_in_numbering_plan"),
        // France.
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("01.23.45.67.89", "FR", "+33123456789"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("06 12 34 56 78", "fr", "+33612345678"),
        ("+33 6 12 34 56 78", nil, "+33612345678"),
        ("+33 (0)6 12 34 56 78", nil, "+33612345678"),
        ("0033 6 12 34 56 78", "GB", "+33612345678"),
        ("0033612345678", "FR", "+33612345678"),
        ("06 12 34 56", "FR", "!phone.not_in_numbering_plan"),
        ("06 12 34 56 78 9", "FR", "!phone.not_in_numbering_plan"),
        // Australia.
        ("(02) 5550 1234", "AU", "+61255501234"),
        ("0491 570 156", "AU", "+61491570156"),
        ("0491-570-156", "AU", "+61491570156"),
        ("+61 491 570 156", nil, "+61491570156"),
        ("+61 (0)491 570 156", nil, "+61491570156"),
        ("0011 61 2 5550 1234", "AU", "+61255501234"),
        ("0011 44 20 7946 0958", "AU", "+442079460958"),
        ("1300 123 456", "AU", "+611300123456"),
        ("1800-123-456", "AU", "+611800123456"),
        ("13 12 34", "AU", "+61131234"),
        ("0491 570", "AU", "!phone.not_in_numbering_plan"),
        // Other country codes: E.164's length only.
        ("+39 06 1234 5678", nil, "+390612345678"),
        ("+353 1 234 5678", "GB", "+35312345678"),
        ("0039 06 1234 5678", "DE", "+390612345678"),
        ("+0 123 456", nil, "!phone.invalid_country_code"),
        ("+999 12", nil, "!phone.wrong_length"),
        ("+999 1234 5678 9012 3", nil, "!phone.wrong_length"),
        // Garbage, and what is missing to read a number.
        ("", "US", "!phone.no_digits"),
        ("   ", "US", "!phone.no_digits"),
        ("-", "US", "!phone.no_digits"),
        ("+", nil, "!phone.no_digits"),
        ("n/a", "US", "!phone.letters"),
        ("call me", "US", "!phone.letters"),
        ("415 555 2671 x", "US", "!phone.letters"),
        ("415 555 2671 ext.", "US", "!phone.letters"),
        ("415 555 2671 x 12345678901", "US", "!phone.letters"),
        ("555*1234", "US", "!phone.unexpected_character"),
        ("+1 415 +555 2671", nil, "!phone.unexpected_character"),
        ("+1 415 555 2671, 22", nil, "!phone.unexpected_character"),
        ("+1 415 555 2671\u{00B2}", nil, "!phone.unexpected_character"),
        ("020 7946 0958", nil, "!phone.no_default_region"),
        ("020 7946 0958", "", "!phone.no_default_region"),
        ("06 12 34 56 78", "IT", "!phone.region_not_in_table"),
        ("06 12 34 56 78", "UK", "!phone.region_not_in_table"),
    ]

    @Test(arguments: cases)
    func normalise(text: String, region: String?, expected: String) {
        let result = PhoneNumber.normalize(text, defaultRegion: region)
        if expected.hasPrefix("!") {
            #expect(result.problem?.id == String(expected.dropFirst()), "\(text) [\(region ?? "-")] → \(result)")
            // Never dropped: the value kept is the text exactly as given.
            #expect(result.value == text)
            #expect(result.number == nil)
        } else {
            #expect(result.value == expected, "\(text) [\(region ?? "-")] → \(result)")
            #expect(result.problem == nil)
        }
    }

    @Test func theTableIsLarge() {
        #expect(Self.cases.count >= 60)
        #expect(Set(Self.cases.map { "\($0.0)|\($0.1.map { "=" + $0 } ?? "none")" }).count == Self.cases.count)
    }

    @Test func partsOfANormalisedNumber() throws {
        let n = try #require(PhoneNumber.normalize("(416) 555-0199 ext. 12", defaultRegion: "ca").number)
        #expect(n.e164 == "+14165550199")
        #expect(n.extensionNumber == "12")
        #expect(n.region == "CA")
        let us = try #require(PhoneNumber.normalize("+1 416 555 0199", defaultRegion: "GB").number)
        #expect(us.region == "US" && us.extensionNumber == nil && us.description == "+14165550199")
        let other = try #require(PhoneNumber.normalize("+39 06 1234 5678", defaultRegion: nil).number)
        #expect(other.region == nil)
    }

    @Test func reasonsSayWhatToDo() {
        #expect(
            PhoneNumber.normalize("06 12 34 56 78", defaultRegion: "it").problem == .regionNotInTable("IT"))
        #expect(
            PhoneNumber.Problem.regionNotInTable("IT").description
                == "default_region IT is not in the phone rules table (docs/PHONE-NUMBERS.md)")
        #expect(PhoneNumber.normalize("0301", defaultRegion: "DE").problem == .notInNumberingPlan(region: "DE"))
        #expect(PhoneNumber.normalize("+999 12", defaultRegion: nil).problem == .wrongLength(digits: 5))
        #expect(PhoneNumber.normalize("555*1234", defaultRegion: "US").problem == .unexpectedCharacter("*"))
        #expect(
            PhoneNumber.normalize("020 7946 0958", defaultRegion: nil).problem?.description
                == "a national number and no default_region; write it with + and the country code")
    }

    @Test func everyPlanInTheTableIsReachable() {
        for plan in PhoneNumberingPlan.known {
            for region in plan.regions {
                #expect(PhoneNumberingPlan.plan(region: region.lowercased()) == plan)
            }
        }
        #expect(PhoneNumberingPlan.plan(region: "XX") == nil)
    }
}
