extension ProfileValidator {
    /// A job's `recurrence` (`RecurrenceMode`, default `instances`). `series` needs sides that
    /// can keep a series: a cronofy connection is refused (its API has no series).
    func recurrenceMode(_ scope: ConfigScope, from: ConnectionConfig?, to: ConnectionConfig?) -> RecurrenceMode {
        let modes = RecurrenceMode.allCases.map(\.rawValue)
        guard let mode = scope.choice("recurrence", modes).flatMap(RecurrenceMode.init) else { return .instances }
        if mode == .series, let side = [from, to].compactMap({ $0 }).first(where: { $0.connector == "cronofy" }) {
            scope.report(
                .configInvalidValue, "recurrence",
                "\"series\" needs sides that keep a series, but connection \"\(side.name)\" (cronofy) has none; use \"instances\""
            )
        }
        return mode
    }
}
