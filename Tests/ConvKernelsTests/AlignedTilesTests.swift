@testable import ConvKernels
import Testing

private typealias ColumnAlignment = FastKernels.ColumnAlignment

/// The indirect kernels this CPU can run.
private let indirectKernels = ["avx512", "avx2", "portable"].filter(MicroKernel.isSupported)
    .map { IndirectKernel(named: $0) }

/// Rows of B `stride` floats apart, starting `shift` floats into a 64-byte line, in a buffer it owns.
private struct ShiftedRows {
    let storage: UnsafeMutablePointer<Float>
    let base: UnsafeMutablePointer<Float>

    init(floats: Int, shift: Int) {
        storage = .allocate(capacity: floats + 32)
        let aligned = storage + (16 - Int(bitPattern: storage) / 4 % 16) % 16
        base = aligned + shift
        for index in 0..<floats { base[index] = Float((index * 7 + shift) % 23) / 23 - 0.5 }
    }

    func release() { storage.deallocate() }
}

@Suite("In-place tiles of B start on cache lines where the rows allow it")
struct AlignedTilesTests {
    @Test("the first aligned column is found from B's place in memory: every row on the same float of a line gives that line's next column, rows that agree on half a line give half-line columns, rows that disagree or a tile that fits half of L1 off its lines give none, and only the AVX2 kernel asks",
          .enabled(if: MicroKernel.isSupported("avx2")))
    func columnAlignmentFollowsTheRows() throws {
        let avx2 = IndirectKernel(named: "avx2")
        for shift in 0..<16 {
            let rows = ShiftedRows(floats: 16 * 400, shift: shift)
            defer { rows.release() }
            let whole = (0..<200).map { Int64($0 * 32) }, halves = (0..<200).map { Int64($0 * 24) }
            let taps = (0..<200).map { Int64($0 * 32 + $0 % 3) }
            func alignment(_ offsets: [Int64], rows depths: Range<Int>, _ kernel: IndirectKernel) -> ColumnAlignment? {
                offsets.withUnsafeBufferPointer { buffer in
                    ColumnAlignment(b: rows.base, offsets: buffer.baseAddress!, depths: depths, kernel: kernel)
                }
            }
            #expect(alignment(whole, rows: 0..<200, avx2) == ColumnAlignment(first: (16 - shift) % 16, unit: 16),
                    "shift \(shift)")
            // 128 rows of 16 floats take 16 KB of lines even off them: left as they are.
            #expect(alignment(whole, rows: 0..<128, avx2) == nil)
            for other in indirectKernels where other.isa != 1 {
                #expect(alignment(whole, rows: 0..<200, other) == nil)
            }
            #expect(alignment(halves, rows: 0..<200, avx2) == ColumnAlignment(first: (8 - shift % 8) % 8, unit: 8),
                    "shift \(shift)")
            #expect(alignment(taps, rows: 0..<200, avx2) == nil)
        }
    }

    @Test("a thread's chunks with an alignment cover each run of its share once, none wider than a chunk, and each chunk after a run's first starts on an aligned column; without one every chunk but a run's last is a whole chunk",
          .enabled(if: MicroKernel.isSupported("avx2")))
    func chunksEndOnAlignedColumns() throws {
        let kernel = IndirectKernel(named: "avx2")
        // One run of 3,000 columns, and runs of 700 columns 760 apart (slabs of a padded layer's planes).
        let grids = [VirtualGrid(extents: (1, 3000), counts: (1, 3000), output: (1, 3000), origin: (0, 0, 0),
                                 step: (1, 1, 1)),
                     VirtualGrid(extents: (1, 760), counts: (1, 700), output: (1, 700), origin: (0, 0, 0),
                                 step: (1, 1, 1))]
        for (grid, columns) in zip(grids, [3000, 3000]) {
            for threads in [1, 2] {
                let split = FastKernels.TileSplit(columns: columns, rows: 200, threads: threads, kernel: kernel)
                for alignment in [nil, ColumnAlignment(first: 5, unit: 16), ColumnAlignment(first: 3, unit: 8)] {
                    var chunks = 0
                    var covered = [Int](repeating: 0, count: columns)
                    for part in 0..<split.parts {
                        split.forEachChunk(of: columns, part: part, grid: grid, alignment: alignment) { start, width in
                            #expect(width >= 1 && width <= split.chunk)
                            for column in start..<(start + width) { covered[column] += 1 }
                            chunks += 1
                        }
                    }
                    var expected = [Int](repeating: 0, count: columns)
                    grid.forEachRun(in: 0..<columns) { run in for column in run { expected[column] = 1 } }
                    #expect(covered == expected, "\(threads) threads, \(String(describing: alignment))")
                    #expect(chunks > 4 * split.parts, "runs longer than chunks")
                    // A part's chunk that starts where its previous one ended continues a run: on an aligned column.
                    for part in 0..<split.parts {
                        var previousEnd = -1, previousWidth = 0
                        split.forEachChunk(of: columns, part: part, grid: grid, alignment: alignment) { start, width in
                            if let alignment, start == previousEnd {
                                #expect((start - alignment.first) % alignment.unit == 0, "chunk at \(start)")
                            }
                            // Without an alignment a chunk followed by another in its run is a whole one.
                            if alignment == nil, start == previousEnd {
                                #expect(previousWidth == split.chunk, "chunk before \(start)")
                            }
                            (previousEnd, previousWidth) = (start + width, width)
                        }
                    }
                }
            }
        }
    }

    @Test("an in-place indirect GEMM whose rows of B start at each of the 16 floats of a cache line agrees with the product on every kernel: a narrower first tile up to the line, the depth's second block (too shallow to align) tiled from column 0, edge tiles and rows")
    func shiftedRowsAgree() throws {
        let (rows, depth, columns, pitch) = (13, 300, 70, 96)
        let weights = (0..<(rows * depth)).map { Float(($0 * 5) % 17) / 17 - 0.5 }
        let offsets = (0..<depth).map { Int64($0 * pitch) }
        for kernel in indirectKernels {
            for shift in 0..<16 {
                let b = ShiftedRows(floats: depth * pitch, shift: shift)
                defer { b.release() }
                var c = [Float](repeating: .nan, count: rows * columns)
                weights.withUnsafeBufferPointer { a in
                    offsets.withUnsafeBufferPointer { o in
                        c.withUnsafeMutableBufferPointer { out in
                            FastKernels.multiplyIndirect(kernel, a: .rows(a.baseAddress!, lda: depth), rows: rows,
                                                         depth: depth, b: b.base, offsets: o.baseAddress!,
                                                         columns: columns, c: out.baseAddress!, ldc: columns)
                        }
                    }
                }
                var worst: Float = 0
                for i in 0..<rows {
                    for j in 0..<columns {
                        var sum: Float = 0
                        for p in 0..<depth { sum += weights[i * depth + p] * b.base[p * pitch + j] }
                        let difference = abs(c[i * columns + j] - sum)
                        worst = difference.isNaN ? .infinity : max(worst, difference)
                    }
                }
                #expect(worst <= 1e-4, "\(kernel.name), shift \(shift)")
            }
        }
    }
}
