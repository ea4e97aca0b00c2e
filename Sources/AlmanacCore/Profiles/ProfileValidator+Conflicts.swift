extension ProfileValidator {
    /// `conflicts = { by = ["participant_0_email", "custom.room"] }`: each field a `ConflictField`,
    /// at least one. Nil when the job has no `conflicts` table or it is wrong (reported).
    func conflictFields(_ scope: ConfigScope) -> [ConflictField]? {
        guard let table = scope.table("conflicts") else { return nil }
        defer { table.finish() }
        guard let names = table.strings("by", required: true) else { return nil }
        guard !names.isEmpty else {
            table.report(.configInvalidValue, "by", "name at least one field; fields: \(ConflictField.grammar)")
            return nil
        }
        var fields: [ConflictField] = []
        for (i, name) in names.enumerated() {
            if let field = ConflictField(name) {
                if !fields.contains(field) { fields.append(field) }
            } else {
                diagnostics.report(
                    .configInvalidValue, at: table.path.appending("by").index(i).description,
                    "unknown field \"\(name)\"; fields: \(ConflictField.grammar)")
            }
        }
        return fields.count == Set(names).count ? fields : nil
    }
}
