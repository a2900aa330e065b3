/// Set operations over postings: sorted arrays of series refs without duplicates.
public enum Postings {
    /// The refs present in every list (smallest list first keeps the work bounded by it).
    public static func intersect(_ lists: [[SeriesRef]]) -> [SeriesRef] {
        guard var result = lists.min(by: { $0.count < $1.count }) else { return [] }
        for list in lists.sorted(by: { $0.count < $1.count }).dropFirst() {
            if result.isEmpty { break }
            result = intersect(result, list)
        }
        return result
    }

    /// Intersection of two sorted lists; gallops through the longer one when sizes differ a lot.
    public static func intersect(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        let (small, large) = a.count <= b.count ? (a, b) : (b, a)
        var out: [SeriesRef] = []
        out.reserveCapacity(small.count)
        if small.count * 16 < large.count {
            var lo = 0
            for x in small {
                lo = lowerBound(large, x, from: lo)
                if lo == large.count { break }
                if large[lo] == x { out.append(x) }
            }
            return out
        }
        var i = 0, j = 0
        while i < small.count && j < large.count {
            let x = small[i], y = large[j]
            if x == y { out.append(x); i += 1; j += 1 } else if x < y { i += 1 } else { j += 1 }
        }
        return out
    }

    /// Every ref of `a` that is not in `b`.
    public static func subtract(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        if b.isEmpty { return a }
        var out: [SeriesRef] = []
        out.reserveCapacity(a.count)
        var j = 0
        for x in a {
            while j < b.count && b[j] < x { j += 1 }
            if j < b.count && b[j] == x { continue }
            out.append(x)
        }
        return out
    }

    /// The union of lists, sorted and without duplicates.
    public static func union(_ lists: [[SeriesRef]]) -> [SeriesRef] {
        switch lists.count {
        case 0: return []
        case 1: return lists[0]
        case 2: return union(lists[0], lists[1])
        default:
            var all: [SeriesRef] = []
            all.reserveCapacity(lists.reduce(0) { $0 + $1.count })
            for l in lists { all.append(contentsOf: l) }
            all.sort()
            var w = 0
            for r in 0..<all.count where r == 0 || all[r] != all[w - 1] {
                all[w] = all[r]
                w += 1
            }
            all.removeLast(all.count - w)
            return all
        }
    }

    public static func union(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        var out: [SeriesRef] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            let x = a[i], y = b[j]
            if x == y { out.append(x); i += 1; j += 1 } else if x < y { out.append(x); i += 1 } else { out.append(y); j += 1 }
        }
        out.append(contentsOf: a[i...])
        out.append(contentsOf: b[j...])
        return out
    }

    /// First index in `list[from...]` whose ref is >= `x` (exponential then binary search).
    static func lowerBound(_ list: [SeriesRef], _ x: SeriesRef, from: Int) -> Int {
        var lo = from, step = 1, hi = from
        while hi < list.count && list[hi] < x {
            lo = hi + 1
            hi += step
            step <<= 1
        }
        hi = min(hi, list.count)
        while lo < hi {
            let mid = (lo + hi) >> 1
            if list[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
