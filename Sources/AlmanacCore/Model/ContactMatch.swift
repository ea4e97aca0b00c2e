/// One stage of a contacts job's first link (`match = ["email", "phone", "name"]`): unlinked
/// contacts of both sides are paired stage by stage, in the order given, each stage only among
/// those no earlier stage paired or held back as ambiguous (README "Contacts").
public enum ContactMatchRule: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// A shared e-mail address, compared lower-cased.
    case email
    /// A shared phone number, compared in E.164 (`PhoneNumber.normalize` with the profile's
    /// `default_region`); a number that cannot be normalised is not compared here.
    case phone
    /// The same shown name, exactly, and one shared e-mail address or phone number (a phone
    /// compared in E.164 when it normalises, else by its digits).
    case name

    /// What a contacts job matches on when it does not say: every stage, in this order.
    public static let defaults: [ContactMatchRule] = [.email, .phone, .name]

    public var description: String { rawValue }
}
