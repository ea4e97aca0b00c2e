/// The numbering plans the phone normaliser knows (`PhoneNumber.normalize`), as data: one entry
/// per country calling code, with the regions (ISO 3166 alpha-2) that dial it, the trunk prefix
/// dialled before a national number, the international prefixes dialled before a country code,
/// and the shapes a national significant number (the digits after the country code) may take.
/// The same table, with examples, is `docs/PHONE-NUMBERS.md`; change both together.
public struct PhoneNumberingPlan: Sendable, Hashable {
    /// A national significant number shape: it starts with one of `leading` and has one of
    /// `lengths` digits.
    public struct Shape: Sendable, Hashable {
        public var leading: [String]
        public var lengths: ClosedRange<Int>

        public init(leading: [String], lengths: ClosedRange<Int>) {
            self.leading = leading
            self.lengths = lengths
        }

        func matches(_ digits: [UInt8]) -> Bool {
            lengths.contains(digits.count) && leading.contains { digits.starts(with: Array($0.utf8)) }
        }
    }

    /// Regions using the plan; the first is the one reported.
    public var regions: [String]
    /// The country calling code, without `+`.
    public var callingCode: String
    /// Dialled before a national number inside the country (`0`, NANP `1`), nil when none.
    public var trunkPrefix: String?
    /// Dialled before a country code from inside the country, besides the general `00` and `+`.
    public var internationalPrefixes: [String]
    public var shapes: [Shape]
    /// North American rule: the fourth digit (the exchange) is 2–9 as well.
    public var nanpExchange: Bool

    public init(
        regions: [String], callingCode: String, trunkPrefix: String?, internationalPrefixes: [String],
        shapes: [Shape], nanpExchange: Bool = false
    ) {
        self.regions = regions
        self.callingCode = callingCode
        self.trunkPrefix = trunkPrefix
        self.internationalPrefixes = internationalPrefixes
        self.shapes = shapes
        self.nanpExchange = nanpExchange
    }

    /// Whether `digits` (a national significant number) fits the plan.
    public func accepts(_ digits: [UInt8]) -> Bool {
        guard shapes.contains(where: { $0.matches(digits) }) else { return false }
        if nanpExchange { return digits.count > 3 && (UInt8(ascii: "2")...UInt8(ascii: "9")).contains(digits[3]) }
        return true
    }

    static let twoToNine = ["2", "3", "4", "5", "6", "7", "8", "9"]
    static let oneToNine = ["1"] + twoToNine

    /// The table (see `docs/PHONE-NUMBERS.md` for the sources and examples).
    public static let known: [PhoneNumberingPlan] = [
        // North American Numbering Plan: area code and exchange start with 2–9; national dialling
        // is `1` + 10 digits; international prefix 011.
        PhoneNumberingPlan(
            regions: ["US", "CA"], callingCode: "1", trunkPrefix: "1", internationalPrefixes: ["011"],
            shapes: [Shape(leading: twoToNine, lengths: 10...10)], nanpExchange: true),
        // United Kingdom: trunk 0; national significant numbers of 9 or 10 digits (01xxx xxxxx,
        // 020 xxxx xxxx, 07xxx xxxxxx, 0800 xxx xxx); never starting with 0, 4 or 6.
        PhoneNumberingPlan(
            regions: ["GB"], callingCode: "44", trunkPrefix: "0", internationalPrefixes: [],
            shapes: [Shape(leading: ["1", "2", "3", "5", "7", "8", "9"], lengths: 9...10)]),
        // Germany: trunk 0; open numbering, national significant numbers of 6 to 13 digits
        // (area codes of 2 to 5 digits, mobiles 015x–017x of 10–11).
        PhoneNumberingPlan(
            regions: ["DE"], callingCode: "49", trunkPrefix: "0", internationalPrefixes: [],
            shapes: [Shape(leading: oneToNine, lengths: 6...13)]),
        // France: trunk 0; closed numbering, 9 digits after the trunk (01–05 geographic,
        // 06/07 mobile, 08 special, 09 VoIP).
        PhoneNumberingPlan(
            regions: ["FR"], callingCode: "33", trunkPrefix: "0", internationalPrefixes: [],
            shapes: [Shape(leading: oneToNine, lengths: 9...9)]),
        // Australia: trunk 0; 9 digits after it (02/03/07/08 geographic, 04 mobile); 1300/1800
        // numbers of 10 digits and 13 xx xx of 6 are dialled without a trunk; international 0011.
        PhoneNumberingPlan(
            regions: ["AU"], callingCode: "61", trunkPrefix: "0", internationalPrefixes: ["0011"],
            shapes: [
                Shape(leading: twoToNine, lengths: 9...9), Shape(leading: ["13", "18"], lengths: 10...10),
                Shape(leading: ["13"], lengths: 6...6),
            ]),
    ]

    /// The plan of `region` (ISO 3166 alpha-2, any case), nil when the table has none.
    public static func plan(region: String) -> PhoneNumberingPlan? {
        let r = region.uppercased()
        return known.first { $0.regions.contains(r) }
    }

    /// The plan whose calling code starts `digits` (calling codes are a prefix code, so at most
    /// one matches), nil when the table has none.
    static func plan(startingWith digits: [UInt8]) -> PhoneNumberingPlan? {
        known.first { digits.starts(with: Array($0.callingCode.utf8)) }
    }
}
