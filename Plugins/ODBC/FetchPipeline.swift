import Dispatch
import Foundation

/// Overlaps the driver's work with the mapping of rows: a thread of its own runs `SQLFetch`
/// into one of a reader's two buffer sets while the caller maps the other.
///
/// The two threads hand the sets back and forth through semaphores: `filled` counts sets ready
/// for the reader, `free` sets ready for the fetcher. The statement handle is used only by the
/// fetching thread until `stop()` has joined it.
final class FetchPipeline: @unchecked Sendable {
    // @unchecked: every mutable field is handed between exactly two threads under the
    // semaphores' happens-before edges (see above); no field is touched by both at once.
    private unowned(unsafe) let reader: ResultReader
    private let filled = DispatchSemaphore(value: 0)
    // Created at 0 and signalled: libdispatch traps when a semaphore is freed below its
    // initial value.
    private let free = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private var cancelled = false
    private var holding = false
    private var nextSet = 0
    private var stopped = false

    init(reader: ResultReader) {
        self.reader = reader
        free.signal()
        free.signal()
        let thread = Thread { [self] in self.run() }
        thread.name = "almanac-odbc-fetch"
        thread.start()
    }

    private func run() {
        var index = 0
        while true {
            free.wait()
            if cancelled { break }
            reader.fetch(into: index)
            let state = reader.setState(index)
            let end = state.count == 0 || state.error != nil
            filled.signal()
            if end { break }
            index ^= 1
        }
        done.signal()
    }

    /// Hands the set the caller held back to the fetcher and returns the next filled set.
    func next() -> Int {
        if holding { free.signal() }
        filled.wait()
        holding = true
        let index = nextSet
        nextSet ^= 1
        return index
    }

    /// Stops the fetching thread and waits for it.
    func stop() {
        guard !stopped else { return }
        stopped = true
        cancelled = true
        free.signal()
        done.wait()
    }
}
