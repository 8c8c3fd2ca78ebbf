/// A set of the catalogue's relationships, by paper number, kept in one word so that answering "which
/// relationships hold" allocates nothing. Iterating visits them most specific first — the order
/// ``AxisArithmetic/relationships(for:)`` documents — not in the paper's order.
public struct RelationshipSet: Sendable, Hashable, Sequence, ExpressibleByArrayLiteral {
    /// Bit `n` is set when the relationship with paper number `n` is in the set.
    private var bits: UInt16

    /// The paper numbers, most specific first: for a convolution half and full padding before the unit-stride
    /// cases before the general ones, and likewise for the transposed cases. A layer's axes only ever hold
    /// relationships of one operation, so one order serves all three.
    static let specificityOrder: [Int] = [3, 4, 1, 2, 5, 6, 7, 10, 11, 8, 9, 12, 13, 14, 15]

    /// The set of the given paper numbers (1–15).
    public init(arrayLiteral paperNumbers: Int...) {
        bits = 0
        for number in paperNumbers { insert(number) }
    }

    /// Adds the relationship with paper number `paper` (1–15).
    public mutating func insert(_ paper: Int) {
        precondition((1...15).contains(paper), "the paper numbers its relationships 1 to 15")
        bits |= 1 << UInt16(paper)
    }

    /// Whether the relationship with paper number `paper` is in the set.
    public func contains(_ paper: Int) -> Bool {
        (1...15).contains(paper) && bits & (1 << UInt16(paper)) != 0
    }

    /// Keeps only the relationships also in `other`.
    public mutating func formIntersection(_ other: RelationshipSet) { bits &= other.bits }

    /// How many relationships are in the set.
    public var count: Int { bits.nonzeroBitCount }

    /// Whether no relationship is in the set.
    public var isEmpty: Bool { bits == 0 }

    /// The relationships, most specific first.
    public var relationships: [Relationship] { map(Relationship.paper) }

    /// Visits the paper numbers, most specific first.
    public struct Iterator: IteratorProtocol {
        fileprivate let bits: UInt16
        fileprivate var position = 0

        public mutating func next() -> Int? {
            let order = RelationshipSet.specificityOrder
            while position < order.count {
                let paper = order[position]
                position += 1
                if bits & (1 << UInt16(paper)) != 0 { return paper }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(bits: bits) }
}

extension Relationship {
    /// The seed's number of the relationship with paper number `paper` (`nil` for 7 and 15, which the seed
    /// leaves unnumbered), read without copying the catalogue entry and its strings.
    public static func seedNumber(ofPaper paper: Int) -> Int? {
        seedNumbers[paper - 1]
    }

    private static let seedNumbers: [Int?] = catalogue.map(\.seed)
}
