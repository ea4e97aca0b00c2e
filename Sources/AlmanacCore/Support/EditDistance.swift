/// Levenshtein distance, for "did you mean …" suggestions on unknown keys and names.
public func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.lowercased()), y = Array(b.lowercased())
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            let cost = x[i - 1] == y[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}

/// The closest candidate to `word`, if one is close enough to be a plausible typo.
public func closestMatch(to word: String, in candidates: some Sequence<String>) -> String? {
    let limit = max(1, min(3, word.count / 3))
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(word, c)
        if d <= limit, d < (best?.1 ?? .max) { best = (c, d) }
    }
    return best?.0
}
