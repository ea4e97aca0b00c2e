/// Finds the overlapping pairs among half-open intervals `[start, end)` in O(n log n + pairs):
/// sort by start, then sweep with a min-heap of the ends of the intervals still open. An interval
/// ending where another starts does not overlap it; an empty interval (`end <= start`) overlaps
/// nothing.
public enum ConflictSweep {
    /// The pairs `(i, j)` of indices into `intervals` whose intervals overlap, `i` the one that
    /// starts first (on equal starts, the smaller index), ordered by `i`'s then `j`'s start.
    public static func overlaps(_ intervals: [(start: Double, end: Double)]) -> [(Int, Int)] {
        let order = intervals.indices.filter { intervals[$0].end > intervals[$0].start }
            .sorted { a, b in
                intervals[a].start != intervals[b].start ? intervals[a].start < intervals[b].start : a < b
            }
        var open = EndHeap()
        var pairs: [(Int, Int)] = []
        for j in order {
            let start = intervals[j].start
            while let top = open.min, top.end <= start { open.popMin() }
            for entry in open.entries { pairs.append((entry.index, j)) }
            open.push(.init(end: intervals[j].end, index: j))
        }
        // Heap order is not start order: list each interval's partners by their start.
        var rank = [Int](repeating: 0, count: intervals.count)
        for (r, i) in order.enumerated() { rank[i] = r }
        return pairs.sorted { a, b in rank[a.0] != rank[b.0] ? rank[a.0] < rank[b.0] : rank[a.1] < rank[b.1] }
    }

    /// A binary min-heap of open intervals by end.
    struct EndHeap {
        struct Entry {
            var end: Double
            var index: Int
        }
        private(set) var entries: [Entry] = []

        var min: Entry? { entries.first }

        mutating func push(_ e: Entry) {
            entries.append(e)
            var i = entries.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard entries[i].end < entries[parent].end else { break }
                entries.swapAt(i, parent)
                i = parent
            }
        }

        mutating func popMin() {
            entries.swapAt(0, entries.count - 1)
            entries.removeLast()
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < entries.count && entries[l].end < entries[m].end { m = l }
                if r < entries.count && entries[r].end < entries[m].end { m = r }
                if m == i { return }
                entries.swapAt(i, m)
                i = m
            }
        }
    }
}
