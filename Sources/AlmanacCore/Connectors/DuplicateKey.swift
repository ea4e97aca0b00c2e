/// The one rule for a key listed twice in one listing, for every connector that can meet one
/// (ODBC rows, CSV rows, XML items): the first item keeps the key, stays listed and is synced;
/// each later item with that key is skipped and reported as an item problem, which leaves the
/// first item alone (the engine blocks a key only for other problems).
public enum DuplicateKey {
    /// The problem reporting the later item at `place` (`b.csv line 9`, `row 6`) whose key the
    /// item at `firstAt` (`a.csv line 3`, `an earlier row`) has.
    public static func problem(key: String, at place: String, firstAt: String) -> ItemProblem {
        var problem = ItemProblem(
            key: key, field: "external_id",
            reason: "\(place): \"\(key)\" is the external_id of \(firstAt) already: the first is kept and synced, "
                + "this one is skipped (an external_id must be unique in what a job reads)")
        problem.duplicateOf = firstAt
        return problem
    }
}
