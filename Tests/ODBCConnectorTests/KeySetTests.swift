import RowMapping
import Testing

@testable import ODBCConnector

@Suite struct KeySetTests {
    @Test func integerAndTextKeysAreDistinctOnlyWhenTheirTextDiffers() {
        var keys = KeySet()
        func add(_ key: String) -> Bool { keys.insert(key) }
        #expect(add("42"))
        #expect(!add("42"))
        // Not canonical integers: kept as text, so they never meet "42".
        #expect(add("042"))
        #expect(add("+42"))
        #expect(add("42 "))
        #expect(!add("042"))
        #expect(add("0"))
        #expect(!add("0"))
        #expect(add("123456789012345678"))
        #expect(add("1234567890123456789"))  // 19 digits: text
        #expect(!add("1234567890123456789"))
        #expect(add("A-17"))
        #expect(keys.count == 8)
    }

    @Test func rollbackTakesBackOnlyTheKeysSinceTheMark() {
        var keys = KeySet()
        func add(_ key: String) -> Bool { keys.insert(key) }
        #expect(add("1"))
        #expect(add("x"))
        keys.mark()
        #expect(add("2"))
        #expect(add("65"))  // another word of bits
        #expect(add("y"))
        keys.rollback()
        #expect(keys.count == 2)
        #expect(!add("1"))
        #expect(!add("x"))
        #expect(add("2"))
        #expect(add("65"))
        #expect(add("y"))
    }

    @Test func canonicalIntegers() {
        #expect(KeySet.canonicalInteger("0") == 0)
        #expect(KeySet.canonicalInteger("907") == 907)
        #expect(KeySet.canonicalInteger("999999999999999999") == 999_999_999_999_999_999)
        #expect(KeySet.canonicalInteger("") == nil)
        #expect(KeySet.canonicalInteger("00") == nil)
        #expect(KeySet.canonicalInteger("-1") == nil)
        #expect(KeySet.canonicalInteger("١٢") == nil)  // Arabic-Indic digits are text
    }

    @Test func updatedVersionsSpellTheSecondsInDecimal() {
        #expect(ContentVersion.updated(0) == "u:0")
        #expect(ContentVersion.updated(1_764_547_200) == "u:1764547200")
        #expect(ContentVersion.updated(-86_400) == "u:-86400")
        #expect(ContentVersion.updated(Int.min) == "u:" + String(Int.min))
    }
}
