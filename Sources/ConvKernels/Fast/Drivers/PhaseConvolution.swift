import CConvKernels
import ConvArithmetic

extension FastKernels {
    /// A transposed convolution by its output phases (``PhaseLayout``): per sample and group the input is
    /// zero-padded once, and per phase `C[C_out/g × V_φ] = W_φ · B_φ` runs on the indirect kernel over the
    /// taps that reach that phase (B read in place, or gathered into dense rows of the phase's outputs: see
    /// ``PhaseLayout/gathersColumns``), its columns written to the outputs `φ + s·m`. Threads split each
    /// phase's columns, or its output channels (``TileSplit``). Every phase's weights are packed per call, or
    /// `packedWeights` (one per group, by a ``PreparedLayer``).
    static func transposedPhases(_ x: Tensor, weight: Tensor, packedWeights: [PhaseWeights]? = nil, bias: Tensor?, layout: LayerTensors,
                                 plan: PhaseLayout, groups: Int, threads: Int, kernel: IndirectKernel) -> Tensor {
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let (k0, k1, k2) = plan.kernel
        let taps = k0 * k1 * k2
        let inputPlane = plan.input.0 * plan.input.1 * plan.input.2
        let plane = plan.output.0 * plan.output.1 * plan.output.2
        let count = layout.outputShape.reduce(1, *)
        var y = plan.hasEmptyPhases ? [Float](repeating: 0, count: count) : uninitialized(count)
        let split = TileSplit(columns: plan.phases.map(plan.columns).max() ?? 0, rows: outGroup, threads: threads,
                              kernel: kernel, rowsWhenTied: plan.gathersColumns)
        let preparedCount = inGroup * plan.channelVolume
        // B read in place from the padded copy, or gathered from it into the phases' dense rows.
        let inPlace = plan.phases.map { plan.offsets($0, channels: inGroup) }
        let compact = plan.gathersColumns ? CompactPhases(plan, channels: inGroup) : nil
        let offsets = compact.map { compact in
            plan.phases.indices.map { compact.offsets($0, rows: inGroup * plan.phases[$0].taps.count) }
        } ?? inPlace
        let grids = plan.phases.map { compact?.grid(plan, phase: $0) ?? plan.grid($0) }
        // Column phases of a stride-2 output computed side by side (0 and 1 along the last axis, the same columns),
        // their C interleaved into whole vectors of the output rows instead of stored two apart.
        let pairs = grids.indices.map { $0 + 1 < grids.count && grids[$0].pairs(with: grids[$0 + 1]) }
        assert(pairs.indices.allSatisfy { index in
            !pairs[index] || plan.columns(plan.phases[index]) == plan.columns(plan.phases[index + 1])
        })
        let chunkFloats = outGroup * split.chunk, partFloats = (pairs.contains(true) ? 2 : 1) * chunkFloats
        var scratch = uninitialized(split.parts * partFloats)
        withScratch(floats: preparedCount + (compact?.count ?? 0)) { buffer in
            let prepared = buffer, gathered = buffer + preparedCount
            let b = compact == nil ? prepared : gathered
            // Chunks that end on aligned columns where a phase's rows of B allow it (B is the same buffer for
            // every sample and group).
            let alignments = plan.phases.indices.map { index in
                offsets[index].withUnsafeBufferPointer { offsetBuffer in
                    offsetBuffer.baseAddress.flatMap {
                        ColumnAlignment(b: b, offsets: $0,
                                        depths: 0..<min(inGroup * plan.phases[index].taps.count, indirectDepthBlock),
                                        kernel: kernel)
                    }
                }
            }
            withPointers(x, weight, &y, &scratch) { xBase, wBase, yBase, chunks in
                for group in 0..<groups {
                    // W_φ[c_out × (c, tap)] = w[group·inGroup + c, c_out, tap], every phase's packed once per group.
                    let packed = packedWeights?[group] ?? PhaseWeights(wBase + group * inGroup * outGroup * taps, phases: plan.phases, inGroup: inGroup,
                                                                  outGroup: outGroup, taps: taps, panelRows: kernel.rows, isa: kernel.isa,
                                                                  threads: threads)
                    for n in 0..<layout.batch {
                        let xGroup = xBase + (n * layout.inputChannels + group * inGroup) * inputPlane
                        let yGroup = yBase + (n * layout.outputChannels + group * outGroup) * plane
                        // The padded copy, once per sample and group (its channels' rows gathered by the same thread).
                        forEachShare(of: inGroup, threads: threads) { channels in
                            plan.prepare(xGroup, channels: channels, into: prepared)
                            compact?.gather(plan, from: prepared, inPlace: inPlace, channels: channels, into: gathered)
                        }
                        // Every phase in one parallel loop: the parts' outputs never meet (phases write different
                        // outputs, parts of a phase different columns or rows).
                        packed.data.withUnsafeBufferPointer { aBuffer in
                            guard let packedBase = aBuffer.baseAddress else { return }
                            FastThreads.run(parts: split.parts, threads: threads) { part in
                                let rows = split.rows(of: part, among: outGroup)
                                guard !rows.isEmpty else { return }
                                let mine = chunks + part * partFloats, target = yGroup + rows.lowerBound * plane
                                // Phase `index`'s C over columns [start, start + width) into `c` (row stride width).
                                func multiply(_ index: Int, start: Int, width: Int,
                                              into c: UnsafeMutablePointer<Float>) {
                                    let depth = inGroup * plan.phases[index].taps.count
                                    let a = IndirectA.packed(packedBase + packed.starts[index])
                                        .advanced(byRows: rows.lowerBound, depth: depth, panelRows: kernel.rows)
                                    offsets[index].withUnsafeBufferPointer { offsetBuffer in
                                        guard let offsetBase = offsetBuffer.baseAddress else { return }
                                        multiplyIndirect(kernel, a: a, rows: rows.count, depth: depth, b: b + start,
                                                         offsets: offsetBase, columns: width, c: c, ldc: width)
                                    }
                                }
                                var index = 0
                                while index < plan.phases.count {
                                    let grid = grids[index], columns = plan.columns(plan.phases[index])
                                    let alignment = alignments[index]
                                    if pairs[index] {
                                        split.forEachChunk(of: columns, part: part, grid: grid,
                                                           alignment: alignment) { start, width in
                                            multiply(index, start: start, width: width, into: mine)
                                            multiply(index + 1, start: start, width: width, into: mine + chunkFloats)
                                            grid.scatterPairs(mine, mine + chunkFloats, ldc: width, rows: rows.count,
                                                              columns: start..<(start + width), into: target,
                                                              plane: plane, isa: kernel.isa)
                                        }
                                        index += 2
                                        continue
                                    }
                                    split.forEachChunk(of: columns, part: part, grid: grid,
                                                       alignment: alignment) { start, width in
                                        multiply(index, start: start, width: width, into: mine)
                                        grid.scatter(mine, ldc: width, rows: rows.count,
                                                     columns: start..<(start + width), into: target, plane: plane,
                                                     isa: kernel.isa)
                                    }
                                    index += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bias { addBias(bias, to: &y, channels: layout.outputChannels, plane: plane) }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }

    /// Every phase's `W_φ[c_out × (c, tap)] = w[c, c_out, tap]` (`w`: a group's weights
    /// `[inGroup × outGroup × taps]`) for the taps of that phase, packed in panels of `panelRows` rows
    /// (`[panel][k][mr]`), one after the other in `data` from `starts[φ]` — in one pass over the weights
    /// (a pass per phase would read every weight row once per phase): each channel's `[outGroup × taps]`
    /// block is transposed (8 × 8 tiles with AVX, in C), so that a tap's lanes of a panel are one contiguous
    /// copy, and the packed weights are then written in their order, one stream (written where each tap
    /// belongs, channel by channel, every store went to another cache line: DCGAN's 256 → 128 layer took
    /// 1.4× as long).
    struct PhaseWeights: Sendable {
        var data: [Float]
        let starts: [Int]

        init(_ w: UnsafePointer<Float>, phases: [PhaseLayout.Phase], inGroup: Int, outGroup: Int, taps: Int, panelRows mr: Int, isa: Int32,
             threads: Int) {
            let panels = (outGroup + mr - 1) / mr
            var starts: [Int] = [], total = 0
            for phase in phases {
                starts.append(total)
                total += panels * inGroup * phase.taps.count * mr
            }
            self.starts = starts
            // Every lane the kernel reads is written (it repeats the last row for rows past the panel's end).
            data = FastKernels.uninitialized(total)
            // Channels a block at a time through a transposed copy of 16 K floats (64 KB), or one channel's if larger.
            // Threads split the channels, whole blocks each.
            let block = max(1, min(inGroup, (1 << 14) / max(taps * outGroup, 1)))
            let blocks = (inGroup + block - 1) / block, parts = max(1, min(threads, blocks))
            let perPart = max(block * taps * outGroup, 1)
            var scratch = FastKernels.uninitialized(parts * perPart)
            let counts = phases.map { Int64($0.taps.count) }, tapList = phases.flatMap { $0.taps.map { Int64($0.tap) } }
            data.withUnsafeMutableBufferPointer { buffer in
                scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                    guard let base = buffer.baseAddress, let scratchBase = scratchBuffer.baseAddress else { return }
                    FastThreads.run(parts: parts, threads: threads) { part in
                        let first = part * blocks / parts * block, last = min((part + 1) * blocks / parts * block, inGroup)
                        guard first < last else { return }
                        convarith_pack_phase_weights(w, Int64(inGroup), Int64(outGroup), Int64(taps), Int64(mr), Int64(phases.count), counts,
                                                     tapList, Int64(first), Int64(last), base, scratchBase + part * perPart, Int64(block), isa)
                    }
                }
            }
        }
    }
}
