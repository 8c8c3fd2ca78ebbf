import ConvArithmetic

/// The fast path's GEMM: `C[M × N] = A[M × K] · B[K × N]` with A packed once into panels of the
/// micro-kernel's rows and B packed block by block (`kc` × `nc`, about half a megabyte, so it stays in
/// cache) by a ``PanelSource`` — for a convolution, straight from the input, an implicit im2col that never
/// materializes the whole matrix.
struct PackedGEMM {
    let kernel: MicroKernel
    /// Rows of B per block.
    static let kc = 256
    /// Columns of B per block (a multiple of every kernel's columns).
    static let nc = 512

    /// A packed: `[panel][k][mr]`, rows beyond M zero.
    struct PackedA {
        let rows: Int
        let depth: Int
        let panelRows: Int
        var data: [Float]

        /// A packed A whose element `(row, k)` is `element(row, k)`.
        init(rows: Int, depth: Int, panelRows: Int, element: (_ row: Int, _ k: Int) -> Float) {
            self.init(rows: rows, depth: depth, panelRows: panelRows) { buffer in
                for panel in 0..<(rows + panelRows - 1) / panelRows {
                    for k in 0..<depth {
                        let base = (panel * depth + k) * panelRows
                        for r in 0..<min(panelRows, rows - panel * panelRows) {
                            buffer[base + r] = element(panel * panelRows + r, k)
                        }
                    }
                }
            }
        }

        /// A packed A of `rows × depth` whose panels `fill` writes itself (`[panel][k][mr]`, zero on entry):
        /// for sources whose natural order is not one element at a time.
        init(rows: Int, depth: Int, panelRows: Int, fill: (UnsafeMutableBufferPointer<Float>) -> Void) {
            self.rows = rows
            self.depth = depth
            self.panelRows = panelRows
            data = [Float](repeating: 0, count: (rows + panelRows - 1) / panelRows * depth * panelRows)
            data.withUnsafeMutableBufferPointer { fill($0) }
        }
    }

    /// `C[0..<M, columns]` (row stride `ldc`) = A · B for the columns `columns` of B, B's blocks packed by `source`.
    func multiply(_ a: PackedA, columns: Range<Int>, source: some PanelSource, c: UnsafeMutablePointer<Float>, ldc: Int,
                  scratch: UnsafeMutablePointer<Float>, tile: UnsafeMutablePointer<Float>) {
        let mr = kernel.rows, nr = kernel.columns
        let depth = a.depth, rows = a.rows
        let mPanels = (rows + mr - 1) / mr
        a.data.withUnsafeBufferPointer { aBuffer in
            guard let aBase = aBuffer.baseAddress else { return }
            var n0 = columns.lowerBound
            while n0 < columns.upperBound {
                let nLength = min(Self.nc, columns.upperBound - n0)
                let nPanels = (nLength + nr - 1) / nr
                var k0 = 0
                while k0 < depth {
                    let kLength = min(Self.kc, depth - k0)
                    source.pack(columns: n0..<(n0 + nLength), depth: k0..<(k0 + kLength), panelWidth: nr, into: scratch)
                    for mp in 0..<mPanels {
                        let aPanel = aBase + (mp * depth + k0) * mr
                        let rowsHere = min(mr, rows - mp * mr)
                        for np in 0..<nPanels {
                            let bPanel = UnsafePointer(scratch + np * kLength * nr)
                            let column = n0 + np * nr
                            let width = min(nr, nLength - np * nr)
                            let target = c + mp * mr * ldc + column
                            if rowsHere == mr && width == nr {
                                kernel.function(Int64(kLength), aPanel, bPanel, target, Int64(ldc), k0 > 0 ? 1 : 0)
                            } else {
                                // An edge tile: computed in a full tile, then the part that exists copied.
                                if k0 > 0 {
                                    for r in 0..<rowsHere { for j in 0..<width { tile[r * nr + j] = target[r * ldc + j] } }
                                }
                                kernel.function(Int64(kLength), aPanel, bPanel, tile, Int64(nr), k0 > 0 ? 1 : 0)
                                for r in 0..<rowsHere { for j in 0..<width { target[r * ldc + j] = tile[r * nr + j] } }
                            }
                        }
                    }
                    k0 += kLength
                }
                n0 += nLength
            }
        }
    }

    /// Scratch floats one thread needs: a packed block of B and an edge tile.
    var scratchCount: Int { Self.kc * (Self.nc + kernel.columns) }
    var tileCount: Int { kernel.rows * kernel.columns }
}

/// Packs a block of B — rows `depth`, columns `columns` — as panels `[panel][k][width]`, columns beyond
/// the block zero.
protocol PanelSource {
    func pack(columns: Range<Int>, depth: Range<Int>, panelWidth: Int, into buffer: UnsafeMutablePointer<Float>)
}
