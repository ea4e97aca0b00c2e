import AlmanacCore

/// The `AlmanacError` `body` throws (nil when it throws nothing or something else).
func thrownError(_ body: () throws -> Void) -> AlmanacError? {
    do {
        try body()
        return nil
    } catch {
        return error as? AlmanacError
    }
}
