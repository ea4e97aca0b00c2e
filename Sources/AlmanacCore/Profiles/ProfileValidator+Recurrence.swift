extension ProfileValidator {
    /// A job's `recurrence` (`RecurrenceMode`, default `instances`). Every calendar side keeps a
    /// series in `series` mode: Google as one recurring event, Cronofy (whose API has none) as
    /// its occurrences, read back as one series (Plugins/Cronofy/README.md).
    func recurrenceMode(_ scope: ConfigScope) -> RecurrenceMode {
        let modes = RecurrenceMode.allCases.map(\.rawValue)
        return scope.choice("recurrence", modes).flatMap(RecurrenceMode.init) ?? .instances
    }
}
