import Foundation

/// A phone number in E.164 form (`+` and at most 15 digits), with its extension kept apart.
///
/// `normalize(_:defaultRegion:)` turns what people type (`(415) 555-2671 x12`, `020 7946 0958`,
/// `+49 (0)30 1234567`, `0033 6 12 34 56 78`) into one, with the rules of `PhoneNumberingPlan`
/// (documented in `docs/PHONE-NUMBERS.md`). A number it cannot normalise is never dropped: the
/// answer is `.keptAsGiven` with the text unchanged and the reason.
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    /// `+` and the digits: `+14155552671`.
    public var e164: String
    /// The extension's digits (`x123`, `ext. 123`, `;ext=123` → `123`), nil when none.
    public var extensionNumber: String?
    /// The region of the numbering plan the country code belongs to: the default region when it
    /// shares the plan (`CA` for +1 with default region `CA`), else the plan's first (`US`); nil
    /// when the country code is not in the table (then only E.164's length was checked).
    public var region: String?

    public init(e164: String, extensionNumber: String? = nil, region: String? = nil) {
        self.e164 = e164
        self.extensionNumber = extensionNumber
        self.region = region
    }

    /// RFC 3966 style: `+14155552671`, or `+14155552671;ext=123` with an extension.
    public var description: String { e164 + (extensionNumber.map { ";ext=\($0)" } ?? "") }

    /// Why a number was kept as given. `id` is stable (reports and logs use it).
    public enum Problem: Sendable, Hashable, CustomStringConvertible {
        /// No digit at all (`""`, `n/a`, `-`).
        case noDigits
        /// Letters besides an extension marker (vanity numbers like `1-800-FLOWERS`, notes).
        case letters
        /// A character that is neither a digit nor a separator (`*`, `#`, `,`, a `+` inside).
        case unexpectedCharacter(Character)
        /// A national number (no `+`, no international prefix) and no default region.
        case noDefaultRegion
        /// A national number and a default region the table does not cover.
        case regionNotInTable(String)
        /// An international number whose country code starts with 0.
        case invalidCountryCode
        /// The digits do not fit the country's numbering plan (too few, too many, wrong start).
        case notInNumberingPlan(region: String)
        /// An international number outside the table with fewer than 7 or more than 15 digits.
        case wrongLength(digits: Int)

        public var id: String {
            switch self {
            case .noDigits: return "phone.no_digits"
            case .letters: return "phone.letters"
            case .unexpectedCharacter: return "phone.unexpected_character"
            case .noDefaultRegion: return "phone.no_default_region"
            case .regionNotInTable: return "phone.region_not_in_table"
            case .invalidCountryCode: return "phone.invalid_country_code"
            case .notInNumberingPlan: return "phone.not_in_numbering_plan"
            case .wrongLength: return "phone.wrong_length"
            }
        }

        public var description: String {
            switch self {
            case .noDigits: return "no digits"
            case .letters: return "letters in the number (a vanity number or a note); dial digits only"
            case .unexpectedCharacter(let c): return "unexpected character \"\(c)\""
            case .noDefaultRegion:
                return "a national number and no default_region; write it with + and the country code"
            case .regionNotInTable(let r):
                return "default_region \(r) is not in the phone rules table (docs/PHONE-NUMBERS.md)"
            case .invalidCountryCode: return "a country code cannot start with 0"
            case .notInNumberingPlan(let r): return "the digits do not fit the numbering plan of \(r)"
            case .wrongLength(let n): return "\(n) digits: E.164 numbers have 7 to 15"
            }
        }
    }

    /// Normalises `text` to E.164. `defaultRegion` (ISO 3166 alpha-2) says which country a number
    /// written without `+`, `00` or the region's own international prefix belongs to.
    public static func normalize(_ text: String, defaultRegion: String?) -> PhoneNormalization {
        func kept(_ p: Problem) -> PhoneNormalization { .keptAsGiven(text, p) }
        var (body, ext) = splitExtension(text)
        if body.lowercased().hasPrefix("tel:") { body = String(body.dropFirst(4)) }
        var digits: [UInt8] = []
        var plus = false
        for c in body {
            if let d = decimalDigit(c) {
                digits.append(UInt8(ascii: "0") + UInt8(d))
            } else if c == "+" || c == "\u{FF0B}" {
                guard digits.isEmpty, !plus else { return kept(.unexpectedCharacter(c)) }
                plus = true
            } else if c.isWhitespace || separators.contains(c) {
                continue
            } else if c.isLetter {
                return kept(.letters)
            } else {
                return kept(.unexpectedCharacter(c))
            }
        }
        guard !digits.isEmpty else { return kept(.noDigits) }
        let home = defaultRegion.flatMap(PhoneNumberingPlan.plan(region:))
        if !plus {
            // International prefixes: the region's own (011, 0011) first, then the general 00.
            let prefixes = (home?.internationalPrefixes ?? []) + ["00"]
            if let p = prefixes.first(where: { digits.starts(with: Array($0.utf8)) }) {
                digits.removeFirst(p.utf8.count)
                plus = true
            }
        }
        if plus { return international(digits, ext: ext, text: text, preferred: defaultRegion) }
        guard let defaultRegion, !defaultRegion.isEmpty else { return kept(.noDefaultRegion) }
        guard let home else { return kept(.regionNotInTable(defaultRegion.uppercased())) }
        return national(digits, plan: home, region: defaultRegion.uppercased(), ext: ext, text: text)
    }

    /// Separators people put between digits.
    static let separators: Set<Character> = [
        ".", "-", "(", ")", "/", "[", "]", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2212}",
    ]

    /// Digits after `+` (or an international prefix): a country code from the table with its
    /// plan's check, or another country code checked against E.164's length only.
    static func international(
        _ digits: [UInt8], ext: String?, text: String, preferred: String?
    ) -> PhoneNormalization {
        guard let first = digits.first, first != UInt8(ascii: "0") else {
            return .keptAsGiven(text, digits.isEmpty ? .noDigits : .invalidCountryCode)
        }
        guard let plan = PhoneNumberingPlan.plan(startingWith: digits) else {
            guard (7...15).contains(digits.count) else { return .keptAsGiven(text, .wrongLength(digits: digits.count)) }
            return .normalized(PhoneNumber(e164: "+" + string(digits), extensionNumber: ext))
        }
        var nsn = Array(digits.dropFirst(plan.callingCode.utf8.count))
        // `+44 (0)20 …`: the trunk 0 written after the country code is not dialled.
        if plan.trunkPrefix == "0", nsn.first == UInt8(ascii: "0") { nsn.removeFirst() }
        guard plan.accepts(nsn) else { return .keptAsGiven(text, .notInNumberingPlan(region: plan.regions[0])) }
        let region = preferred.map { $0.uppercased() }.flatMap { plan.regions.contains($0) ? $0 : nil }
        return .normalized(
            PhoneNumber(
                e164: "+" + plan.callingCode + string(nsn), extensionNumber: ext, region: region ?? plan.regions[0]))
    }

    /// Digits of a national number in `plan`: with the trunk prefix, without it, or with the
    /// country code but no `+` (only when the digits are not a national number as they stand).
    static func national(
        _ digits: [UInt8], plan: PhoneNumberingPlan, region: String, ext: String?, text: String
    ) -> PhoneNormalization {
        var candidates: [[UInt8]] = []
        if let trunk = plan.trunkPrefix, digits.starts(with: Array(trunk.utf8)) {
            candidates.append(Array(digits.dropFirst(trunk.utf8.count)))
        }
        candidates.append(digits)
        if digits.starts(with: Array(plan.callingCode.utf8)) {
            var rest = Array(digits.dropFirst(plan.callingCode.utf8.count))
            if plan.trunkPrefix == "0", rest.first == UInt8(ascii: "0") { rest.removeFirst() }
            candidates.append(rest)
        }
        guard let nsn = candidates.first(where: plan.accepts) else {
            return .keptAsGiven(text, .notInNumberingPlan(region: region))
        }
        return .normalized(
            PhoneNumber(e164: "+" + plan.callingCode + string(nsn), extensionNumber: ext, region: region))
    }

    /// The value of a decimal digit of any script (`٣`, fullwidth `３`), nil for anything else
    /// (superscripts and fractions are numbers but not digits).
    static func decimalDigit(_ c: Character) -> Int? {
        guard c.unicodeScalars.count == 1, let s = c.unicodeScalars.first, s.properties.numericType == .decimal
        else { return nil }
        return c.wholeNumberValue
    }

    static func string(_ digits: [UInt8]) -> String { String(decoding: digits, as: UTF8.self) }

    /// Extension markers, tried in this order; the marker must be followed (after spaces, `.`,
    /// `:` or `=`) by 1 to 10 digits and nothing else.
    static let extensionMarkers = [";ext=", "extension", "ext.", "ext", "x"]

    /// Splits `text` into the number and its extension's digits.
    static func splitExtension(_ text: String) -> (String, String?) {
        let lower = text.lowercased()
        // Lower-casing keeps the length of the ASCII markers and digits this compares.
        guard lower.count == text.count else { return (text, nil) }
        for marker in extensionMarkers {
            guard let range = lower.range(of: marker, options: .backwards) else { continue }
            let tail = lower[range.upperBound...].drop { $0 == " " || $0 == "." || $0 == ":" || $0 == "=" }
            let trimmed = tail.trimmingTrailingSpaces
            guard (1...10).contains(trimmed.count), trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                continue
            }
            let offset = lower.distance(from: lower.startIndex, to: range.lowerBound)
            return (String(text.prefix(offset)), String(trimmed))
        }
        return (text, nil)
    }
}

/// What `PhoneNumber.normalize` made of a text.
public enum PhoneNormalization: Sendable, Hashable {
    case normalized(PhoneNumber)
    /// The text, unchanged, and why it could not be normalised.
    case keptAsGiven(String, PhoneNumber.Problem)

    /// The value to store: the normalised number (`+14155552671;ext=12`), or the text as given.
    public var value: String {
        switch self {
        case .normalized(let n): return n.description
        case .keptAsGiven(let text, _): return text
        }
    }

    /// The number when it was normalised.
    public var number: PhoneNumber? {
        if case .normalized(let n) = self { return n }
        return nil
    }

    /// Why the text was kept as given, nil when it was normalised.
    public var problem: PhoneNumber.Problem? {
        if case .keptAsGiven(_, let p) = self { return p }
        return nil
    }
}

extension Substring {
    fileprivate var trimmingTrailingSpaces: Substring {
        var s = self
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return s
    }
}
