import Foundation

extension ProfileValidator {
    /// A job's `privacy`, `busy_title`, `redacted_title`, `include` and `exclude` (README "Privacy
    /// and filters"): the `from` → `to` direction. Nil when one of them is wrong (reported).
    func directionPolicy(_ scope: ConfigScope) -> DirectionPolicy? {
        let before = diagnostics.issues.count
        var policy = DirectionPolicy()
        let modes = PrivacyMode.allCases.map(\.rawValue)
        policy.privacy = scope.choice("privacy", modes).flatMap(PrivacyMode.init) ?? .full
        if let title = scope.string("busy_title") {
            if policy.privacy != .busy {
                scope.report(.configInvalidValue, "busy_title", "has an effect only with privacy = \"busy\"")
            } else if title.trimmingCharacters(in: .whitespaces).isEmpty {
                scope.report(.configInvalidValue, "busy_title", "must not be empty")
            }
            policy.busyTitle = title
        }
        if let template = scope.string("redacted_title") {
            if policy.privacy != .redacted {
                scope.report(.configInvalidValue, "redacted_title", "has an effect only with privacy = \"redacted\"")
            } else if let problem = TitleTemplate.problem(in: template) {
                scope.report(.configInvalidValue, "redacted_title", problem)
            } else if let name = DirectionPolicy.templateVariables(template).first(
                where: DirectionPolicy.isPrivateVariable)
            {
                scope.report(
                    .configInvalidValue, "redacted_title",
                    "may not use \"\(name)\": a redacted title carries no participant field and no description")
            }
            policy.redactedTitle = template
        }
        policy.include = filter(scope, "include")
        policy.exclude = filter(scope, "exclude")
        return diagnostics.issues.count == before ? policy : nil
    }

    /// `include = { status = ["confirmed"] }`: field → non-empty list of values.
    private func filter(_ scope: ConfigScope, _ key: String) -> [String: [String]] {
        guard let t = scope.table(key) else { return [:] }
        defer { t.finish() }
        if t.table.keys.isEmpty {
            scope.report(.configInvalidValue, key, "names no field: remove it or give field = [\"value\", …]")
        }
        var out: [String: [String]] = [:]
        for field in t.table.keys.sorted() {
            guard let values = t.strings(field) else { continue }
            if let problem = Self.filterFieldProblem(field) {
                t.report(.configInvalidValue, field, problem)
            } else if values.isEmpty {
                t.report(.configInvalidValue, field, "lists no value: give at least one")
            } else {
                out[field] = values
            }
        }
        return out
    }

    /// Why `name` cannot be a filter field: a time or key, a misspelt standard field, or not a
    /// column name (lower-case letters, digits and '_'); nil for a standard or custom field.
    static func filterFieldProblem(_ name: String) -> String? {
        let standard = DirectionPolicy.standardFilterFields
        if standard.contains(name) { return nil }
        if DirectionPolicy.unfilterableFields.contains(name) {
            return "unknown field \"\(name)\": times and keys are not filtered on (the window selects by time)"
        }
        let isColumn =
            !name.isEmpty && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
        if !isColumn || name.hasPrefix("participant_") {
            var msg = "unknown field \"\(name)\": a standard field (title, content, location, status, all_day, "
            msg += "participant_N_name|email|phone|response) or a custom field's column name (lower case)"
            if let near = closestMatch(to: name.lowercased(), in: standard) { msg += " (did you mean \"\(near)\"?)" }
            return msg
        }
        let scalars = ["title", "content", "location", "status", "all_day"]
        if let near = closestMatch(to: name, in: scalars) {
            return "unknown field \"\(name)\" (did you mean \"\(near)\"?)"
        }
        return nil
    }
}
