import AlmanacCore

/// The `AlmanacError` `body` throws (nil when it throws nothing or something else), for tests
/// that assert on an error's code, message and flags.
public func thrownError(_ body: () throws -> Void) -> AlmanacError? {
    do {
        try body()
        return nil
    } catch {
        return error as? AlmanacError
    }
}
