import Foundation

extension ProfileValidator {
    /// What a job says of its kind: `kind`, `groups` and a contacts job's `match`.
    struct KindSettings {
        var kind: ItemKind = .events
        var groups: [String] = []
        var match: [ContactMatchRule] = ContactMatchRule.defaults
    }

    /// Keys of a job table that concern appointments only, rejected in a contacts job (a setting
    /// that validated but did nothing would mislead), with what they are about.
    static let eventOnlyKeys: [(key: String, what: String)] = [
        ("window", "window: every contact is synced, whatever the date"),
        ("title_template", "title template: a contact's name is its own"),
        ("to_owns", "to_owns: it names appointment fields"),
        ("include_tentative", "tentative appointments"),
        ("phone_priority", "phone_priority: a contact keeps all its phones"),
        ("privacy", "privacy mode"), ("busy_title", "busy title"), ("redacted_title", "redacted title"),
        ("include", "include filter: select contacts with groups"),
        ("exclude", "exclude filter: select contacts with groups"),
        ("conflicts", "schedule conflicts"), ("recurrence", "recurring series"),
    ]

    /// Statements of `[jobs.source]` that confirmations and cancellations run: those never occur
    /// for contacts.
    static let eventOnlySourceKeys = ["on_confirmed", "on_cancelled"]

    /// A job's `kind` (`events` or `contacts`), checked against what both sides' connectors carry
    /// (`ConnectorModule.itemKinds`, or what a connection says of itself, a plugin's hello);
    /// `groups` (contacts only: a non-empty list of group names);
    /// for contacts, `match` (`ContactMatchRule` names) and no event-only key.
    func contactSettings(_ scope: ConfigScope, from: ConnectionConfig?, to: ConnectionConfig?) -> KindSettings {
        var out = KindSettings()
        out.kind = scope.choice("kind", ItemKind.allCases.map(\.rawValue)).flatMap(ItemKind.init) ?? .events
        let job = scope.table.string("name") ?? "?"
        for (side, connection) in [("from", from), ("to", to)] {
            guard let connection, let module = connectors[connection.connector] else { continue }
            // A plugin says what it carries of itself (its hello), else the module does.
            let kinds = ownSettings.byConnection[connection.name]?.kinds ?? module.itemKinds
            guard !kinds.contains(out.kind) else { continue }
            let carries = ItemKind.allCases.filter(kinds.contains).map(\.rawValue)
            scope.report(
                .configCapability, side,
                "job \"\(job)\": the \(side) side, connection \"\(connection.name)\" (connector \(connection.connector)), "
                    + "cannot carry \(out.kind.rawValue); it carries \(carries.joined(separator: ", "))")
        }
        if let list = scope.strings("groups") {
            if out.kind != .contacts {
                scope.report(
                    .configInvalidValue, "groups",
                    "selects contacts by group: only a job with kind = \"contacts\" has groups")
            } else if list.isEmpty || list.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                scope.report(.configInvalidValue, "groups", "name at least one group, and no empty name")
            } else {
                for g in list where !out.groups.contains(g) { out.groups.append(g) }
            }
        }
        guard out.kind == .contacts else { return out }
        for (key, what) in Self.eventOnlyKeys where scope.table[key] != nil {
            scope.report(
                .configInvalidValue, key, "applies to appointments only (\(what)); remove it from this contacts job")
        }
        if case .table(let source)? = scope.table["source"] {
            for key in Self.eventOnlySourceKeys where source[key] != nil {
                diagnostics.report(
                    .configInvalidValue, at: scope.path.appending("source").appending(key).description,
                    "contacts are neither confirmed nor cancelled: remove it from this contacts job")
            }
        }
        out.match = contactMatch(scope)
        return out
    }

    /// A contacts job's `match`: a non-empty list of `email`, `phone`, `name`, each once.
    private func contactMatch(_ scope: ConfigScope) -> [ContactMatchRule] {
        guard let names = scope.strings("match") else { return ContactMatchRule.defaults }
        let known = ContactMatchRule.allCases.map(\.rawValue)
        if names.isEmpty {
            scope.report(
                .configInvalidValue, "match",
                "the list is empty: name the stages a first link of contacts tries, e.g. [\"email\", \"phone\"]")
        }
        var out: [ContactMatchRule] = []
        for (i, name) in names.enumerated() {
            if let rule = ContactMatchRule(rawValue: name) {
                if !out.contains(rule) { out.append(rule) }
                continue
            }
            var msg = "unknown contact match \"\(name)\"; a contacts job matches on \(known.joined(separator: ", "))"
            if let near = closestMatch(to: name, in: known) { msg += " (did you mean \"\(near)\"?)" }
            diagnostics.report(.configInvalidValue, at: scope.path.appending("match").index(i).description, msg)
        }
        return out.isEmpty ? ContactMatchRule.defaults : out
    }

    /// `default_region = "US"`: a region the phone rules know (`PhoneNumberingPlan`), stored upper case.
    func defaultRegion(_ root: ConfigScope) -> String? {
        guard let region = root.string("default_region") else { return nil }
        guard PhoneNumberingPlan.plan(region: region) != nil else {
            let known = PhoneNumberingPlan.known.flatMap(\.regions).sorted()
            root.report(
                .configInvalidValue, "default_region",
                "\"\(region)\" is not a region the phone rules know (docs/PHONE-NUMBERS.md); known: "
                    + known.joined(separator: ", "))
            return nil
        }
        return region.uppercased()
    }

    /// `match`: a non-empty list of field names (`MatchField`).
    func match(_ scope: ConfigScope) -> [MatchField] {
        guard let names = scope.strings("match") else { return MatchField.defaults }
        if names.isEmpty {
            scope.report(
                .configInvalidValue, "match",
                "the list is empty: name the fields a first link compares, e.g. [\"start_time\", \"title\"]")
            return MatchField.defaults
        }
        var out: [MatchField] = []
        for (i, name) in names.enumerated() {
            if let field = MatchField(name: name) {
                if !out.contains(field) { out.append(field) }
                continue
            }
            var msg =
                "unknown field \"\(name)\"; fields: \(MatchField.standardNames.joined(separator: ", ")), "
                + "or custom.NAME for a custom field"
            if let near = closestMatch(to: name, in: MatchField.standardNames) { msg += " (did you mean \"\(near)\"?)" }
            diagnostics.report(.configInvalidValue, at: scope.path.appending("match").index(i).description, msg)
        }
        return out
    }

}
