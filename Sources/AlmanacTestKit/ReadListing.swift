import AlmanacCore

/// Every page of one listing, combined: what tests compare against a store.
public struct ReadListing {
    public var items: [SourceItem] = []
    public var deleted: [String] = []
    public var problems: [ItemProblem] = []
    /// Each page's coverage, in order.
    public var coverages: [ReadCoverage] = []
    /// The last page's cursor.
    public var cursor: String?
    public var pages = 0
    /// True when a page that had a continuation also carried a cursor (a contract breach: the
    /// cursor belongs on the last page only).
    public var cursorBeforeLastPage = false

    /// The last page's coverage (what the engine acts on).
    public var coverage: ReadCoverage? { coverages.last }
}

extension Connector {
    /// Reads `request` and every page after it (at most `pageLimit` pages), as the engine does:
    /// streamed (`read(_:into:)`), or page by page (`read(_:)`) when not `streamed`.
    public func readListing(_ request: ReadRequest, pageLimit: Int = 10_000, streamed: Bool = true) throws
        -> ReadListing
    {
        var request = request
        var listing = ReadListing()
        while true {
            var collector = ItemCollector()
            let page = streamed ? try read(request, into: &collector) : try read(request)
            listing.pages += 1
            listing.items += streamed ? collector.items : page.items
            listing.deleted += page.deleted
            listing.problems += page.problems
            listing.coverages.append(page.coverage)
            listing.cursor = page.cursor
            guard let next = page.continuation, listing.pages < pageLimit else { return listing }
            if page.cursor != nil { listing.cursorBeforeLastPage = true }
            request.continuation = next
        }
    }
}
