import AlmanacCore
import AlmanacSync
import AlmanacTestKit
import Foundation
import Testing

/// The projection of a contacts job (`ContentProjection+Contacts`): what it equates and what it
/// tells apart.
@Suite(.timeLimit(.minutes(10))) struct ContactProjectionTests {
    let p = ContentProjection(fields: [], contactFields: Set(ContactField.allCases))

    static let ann = Contact(
        givenName: "Ann", familyName: "Lee", emails: [ContactEmail("Ann@Example.org", kind: .work)],
        phones: [ContactPhone("+14155550101", kind: .mobile)], address: PostalAddress(city: "Springfield"),
        birthday: CivilDate(year: 1980, month: 2, day: 29), notes: "", groups: ["B", "A"], custom: ["x": "1", "y": ""])

    @Test func normalisedValues() {
        let e = Self.ann.envelope()
        #expect(p.contactValue(.name, of: e) == "Ann\u{1f}Lee\u{1f}")
        #expect(p.contactValue(.emails, of: e) == "ann@example.org\u{1f}work")
        #expect(p.contactValue(.phones, of: e) == "+14155550101\u{1f}mobile")
        #expect(p.contactValue(.address, of: e) == "\u{1f}Springfield\u{1f}\u{1f}\u{1f}")
        #expect(p.contactValue(.birthday, of: e) == CivilDate(year: 1980, month: 2, day: 29).description)
        #expect(p.contactValue(.groups, of: e) == "A\u{1e}B")
        #expect(p.contactValue(.custom, of: e) == "x=1")
        #expect(p.contactValue(.notes, of: e) == "")
    }

    @Test func whatIsTheSameAndWhatIsNot() {
        let a = Self.ann.envelope()
        var same = Self.ann
        same.emails[0].address = "ANN@EXAMPLE.ORG"
        same.groups = ["A", "B", "A"]
        same.notes = nil
        same.address = PostalAddress(street: "", city: "Springfield")
        same.custom = ["x": "1"]
        var b = same.envelope(origin: "stamp")
        b.title = "another title"  // event fields are not compared in a contacts job
        #expect(p.hash(a) == p.hash(b))
        #expect(p.same(a, b))
        for change: (inout Contact) -> Void in [
            { $0.phones[0].number = "+14155550102" }, { $0.phones[0].kind = .home }, { $0.emails[0].kind = .home },
            { $0.givenName = "Anne" }, { $0.groups.append("C") }, { $0.notes = "n" }, { $0.custom["y"] = "2" },
            { $0.organization = "Clinic" }, { $0.birthday = nil }, { $0.address = nil },
        ] {
            var c = Self.ann
            change(&c)
            #expect(p.hash(c.envelope()) != p.hash(a), "\(c)")
        }
        let narrow = ContentProjection(fields: [], contactFields: [.name])
        var other = Self.ann
        other.notes = "only notes differ"
        #expect(narrow.hash(other.envelope()) == narrow.hash(a))
        // An events job's projection does not look at the contact at all.
        let events = ContentProjection(fields: Set(EventField.allCases))
        #expect(events.hash(other.envelope()) == events.hash(a))
    }
}
