import AlmanacCore
import Foundation

/// The change-feed cursor: the People API's `syncToken`, behind a fingerprint of the user
/// groups' names when it was issued (`g<16 hex>.<syncToken>`). A person's delta does not say that
/// a group of theirs was renamed or deleted (the membership keeps the group's resource name), so a
/// read whose fingerprint differs from the groups now lists every contact instead, and each
/// reads with its groups' names as they are (README "Groups"). A cursor without the prefix (an
/// older one) is the bare token.
extension GoogleContactsConnector {
    static func cursor(_ token: String, groups: GroupDirectory) -> String {
        "g" + groups.fingerprint + "." + token
    }

    /// The fingerprint and the sync token of a cursor (nil fingerprint: a bare token).
    static func parse(cursor: String) -> (fingerprint: String?, token: String) {
        let chars = Array(cursor.utf8)
        guard chars.count > 18, chars[0] == UInt8(ascii: "g"), chars[17] == UInt8(ascii: "."),
            chars[1..<17].allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return (nil, cursor) }
        return (String(decoding: chars[1..<17], as: UTF8.self), String(decoding: chars[18...], as: UTF8.self))
    }
}

extension GroupDirectory {
    /// FNV-1a (64 bits) of the user groups, resource name and name, in resource-name order: it
    /// changes when a group is created, renamed or deleted.
    var fingerprint: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for rn in names.keys.sorted() {
            for b in rn.utf8 + [0x1f] + names[rn]!.utf8 + [0x1e] {
                h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3
            }
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
