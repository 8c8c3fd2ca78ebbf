/// The name a misspelling most likely meant: the nearest of a list by edit distance, ignoring case, within
/// two edits (`kernal` → `kernel`, `cnov` → `conv`). One helper for every "is it …?" the package prints — a
/// stack's fields and operators, a URL's query fields.
package enum NearestName {
    /// The name in `names` nearest to `text`, if at most `limit` edits away; the first of equals.
    package static func among(_ names: some Sequence<String>, to text: String, limit: Int = 2) -> String? {
        let wanted = text.lowercased()
        var best: (name: String, distance: Int)?
        for name in names {
            let distance = editDistance(wanted, name.lowercased())
            if distance <= limit && distance < (best?.distance ?? .max) { best = (name, distance) }
        }
        return best?.name
    }

    /// Levenshtein distance over the first 64 characters of each (names are short; a long text is no name).
    package static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.prefix(64)), b = Array(b.prefix(64))
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
