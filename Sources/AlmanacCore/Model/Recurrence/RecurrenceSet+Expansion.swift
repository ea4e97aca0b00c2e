import Foundation

extension RecurrenceSet {
    /// The instances that start inside `[windowStart, windowEnd)`, in order of start.
    ///
    /// The set is DTSTART (always an instance, whether or not a rule yields it; it does not use
    /// up a rule's COUNT unless the rule yields it too), every instance each RRULE yields, and
    /// each RDATE, less the EXDATEs; the same start from two sources is one instance. Then the
    /// exceptions apply: a cancelled instance is left out, a moved one is listed at its new start
    /// when that start is inside the window (even when its original start is not). `localZone`
    /// places floating and all-day series: an all-day instance is inside the window when its
    /// day's 00:00 there is.
    ///
    /// COUNT counts instances from DTSTART on; UNTIL is inclusive and is read, for a zoned series,
    /// as an instant when written in UTC (what RFC 5545 requires), as a wall-clock time in the
    /// series' zone when floating, and as the last local date when a date; for an all-day series
    /// as its date. Cost: rules without COUNT start at the window (an endless daily rule costs the
    /// days of the window); a COUNT rule is walked from DTSTART up to the window's end at most.
    public func instances(from windowStart: Date, to windowEnd: Date, localZone: TimeZone = .gmt) -> [Instance] {
        let context = Context(set: self, localZone: localZone)
        let keys = occurrences(windowStart, windowEnd, context)
        var exceptionsByKey: [Key: Exception.Change] = [:]
        for e in exceptions { exceptionsByKey[context.key(e.originalStart)] = e.change }
        var out: [Instance] = []
        func inWindow(_ t: EventTime) -> Bool {
            let s = t.date(in: localZone)
            return s >= windowStart && s < windowEnd
        }
        for key in keys {
            let original = context.time(key)
            switch exceptionsByKey.removeValue(forKey: key) {
            case .cancelled?: continue
            case .moved(let start, let end)?:
                if inWindow(start) {
                    out.append(
                        Instance(originalStart: original, start: start, end: end ?? context.end(start), moved: true))
                }
            case nil:
                out.append(Instance(originalStart: original, start: original, end: context.end(original), moved: false))
            }
        }
        // Moved into the window from outside it: listed when the original start is an instance.
        for (key, change) in exceptionsByKey {
            guard case .moved(let start, let end) = change, inWindow(start) else { continue }
            let at = Date(timeIntervalSince1970: Double(context.seconds(key)))
            guard occurrences(at, at.addingTimeInterval(1), context).contains(key) else { continue }
            out.append(
                Instance(originalStart: context.time(key), start: start, end: end ?? context.end(start), moved: true))
        }
        return out.sorted {
            ($0.start.date(in: localZone), $0.originalStart.date(in: localZone)) < (
                $1.start.date(in: localZone), $1.originalStart.date(in: localZone)
            )
        }
    }

    /// Whether `originalStart` is an instance of the set before exceptions apply (an exception
    /// keyed by any other start names nothing).
    public func contains(_ originalStart: EventTime, localZone: TimeZone = .gmt) -> Bool {
        let context = Context(set: self, localZone: localZone)
        let key = context.key(originalStart)
        let at = Date(timeIntervalSince1970: Double(context.seconds(key)))
        return occurrences(at, at.addingTimeInterval(1), context).contains(key)
    }

    /// An instance's identity: UTC seconds for a timed series, the day for an all-day series.
    enum Key: Hashable, Comparable {
        case instant(Int)
        case day(Int)
    }

    /// The sorted keys of the set inside the window, before exceptions.
    private func occurrences(_ windowStart: Date, _ windowEnd: Date, _ c: Context) -> [Key] {
        let loSeconds = windowStart.timeIntervalSince1970
        let hiSeconds = windowEnd.timeIntervalSince1970
        func inWindow(_ key: Key) -> Bool {
            let s = Double(c.seconds(key))
            return s >= loSeconds && s < hiSeconds
        }
        let firstDay = c.resolver.wallClock(windowStart).date.adding(days: -1)
        let lastDay = c.resolver.wallClock(windowEnd).date.adding(days: 1)
        var found = Set<Key>()
        let first = c.key(start.date)
        if inWindow(first) { found.insert(first) }
        for rule in rules {
            var through = lastDay
            if let until = rule.until {
                switch until {
                case .date(let d): through = min(through, d)
                case .floating(let w), .utc(let w): through = min(through, w.date.adding(days: 1))
                }
            }
            var counted = 0
            rule.forEachDate(from: start.date, skippingTo: rule.count == nil ? firstDay : nil, through: through) {
                day in
                let key = c.key(day)
                if let until = rule.until, c.isAfter(day, key, until) { return false }
                counted += 1
                if inWindow(key) { found.insert(key) }
                return rule.count.map { counted < $0 } ?? true
            }
        }
        for m in rdates {
            let key = c.key(m)
            if inWindow(key) { found.insert(key) }
        }
        for m in exdates { found.remove(c.key(m)) }
        return found.sorted()
    }

    /// What one expansion needs: the zone, DTSTART's time of day, and the conversions between
    /// dates, keys and `EventTime`s.
    struct Context {
        let resolver: ZoneResolver
        let zoneName: String?
        let allDay: Bool
        let secondsOfDay: Int
        let duration: Int?

        init(set: RecurrenceSet, localZone: TimeZone) {
            switch set.start {
            case .zoned(let w, let zone):
                (resolver, zoneName, allDay) = (ZoneResolver(zone), zone.identifier, false)
                secondsOfDay = w.time.hour * 3_600 + w.time.minute * 60 + w.time.second
            case .floating(let w):
                (resolver, zoneName, allDay) = (ZoneResolver(localZone), nil, false)
                secondsOfDay = w.time.hour * 3_600 + w.time.minute * 60 + w.time.second
            case .allDay:
                (resolver, zoneName, allDay, secondsOfDay) = (ZoneResolver(localZone), nil, true, 0)
            }
            duration = set.duration
        }

        /// The instance a rule yields on `day`: DTSTART's wall time that day, read per RFC 5545
        /// §3.3.5 (ZoneResolver: a gap time with the offset before the gap, an overlap time as
        /// its first occurrence).
        func key(_ day: CivilDate) -> Key {
            allDay
                ? .day(day.daysSince1970)
                : .instant(resolver.utcSeconds(localSeconds: day.daysSince1970 * 86_400 + secondsOfDay))
        }

        func key(_ m: Moment) -> Key {
            switch m {
            case .date(let d): return .day(d.daysSince1970)
            case .utc(let t): return .instant(Int(t.timeIntervalSince1970.rounded(.down)))
            case .local(let w):
                let local = w.date.daysSince1970 * 86_400 + w.time.hour * 3_600 + w.time.minute * 60 + w.time.second
                return .instant(resolver.utcSeconds(localSeconds: local))
            }
        }

        func key(_ t: EventTime) -> Key {
            switch t {
            case .allDay(let d): return .day(d.daysSince1970)
            case .instant(let d, _): return .instant(Int(d.timeIntervalSince1970.rounded(.down)))
            }
        }

        /// UTC seconds of a key (an all-day key: its day's 00:00 in the local zone).
        func seconds(_ key: Key) -> Int {
            switch key {
            case .instant(let s): return s
            case .day(let d): return resolver.utcSeconds(localSeconds: d * 86_400)
            }
        }

        func time(_ key: Key) -> EventTime {
            switch key {
            case .instant(let s): return .instant(Date(timeIntervalSince1970: Double(s)), timeZone: zoneName)
            case .day(let d): return .allDay(CivilDate(daysSince1970: d))
            }
        }

        func end(_ start: EventTime) -> EventTime? {
            guard let duration else { return nil }
            switch start {
            case .instant(let d, let zone): return .instant(d.addingTimeInterval(Double(duration)), timeZone: zone)
            case .allDay(let d): return .allDay(d.adding(days: duration))
            }
        }

        /// Whether the instance on `day` (with key `key`) comes after UNTIL (see `instances`).
        func isAfter(_ day: CivilDate, _ key: Key, _ until: RecurrenceRule.Until) -> Bool {
            switch (until, key) {
            case (.date(let u), _): return day > u
            case (.utc(let w), .instant(let s)): return s > w.date.daysSince1970 * 86_400 + Self.seconds(w.time)
            case (.floating(let w), .instant):
                return (day, secondsOfDay) > (w.date, Self.seconds(w.time))
            case (.utc(let w), .day), (.floating(let w), .day): return day > w.date
            }
        }

        static func seconds(_ t: LocalTime) -> Int { t.hour * 3_600 + t.minute * 60 + t.second }
    }
}
