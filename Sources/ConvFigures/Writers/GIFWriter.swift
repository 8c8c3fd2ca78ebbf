/// Writes animated GIFs (GIF89a): a global palette of the figure colours, a NETSCAPE2.0 loop, and one
/// LZW-compressed image per frame with its delay.
public enum GIFWriter {
    /// The GIF of `frames` (all the same size), `delay` hundredths of a second each, looping forever.
    public static func encode(_ frames: [PaletteImage], delay: Int = 80) -> [UInt8] {
        guard let first = frames.first else { return [] }
        var bytes = header(width: first.width, height: first.height)
        for frame in frames { bytes += self.frame(frame, delay: delay) }
        return bytes + trailer
    }

    /// The start of a GIF of `width`×`height` frames (at most 65,535 each): signature, screen, the palette,
    /// and the loop extension. A writer streams ``header(width:height:)``, one ``frame(_:delay:)`` per
    /// image as it is rendered, then ``trailer``, holding one frame at a time.
    public static func header(width: Int, height: Int) -> [UInt8] {
        var bytes = Array("GIF89a".utf8)
        appendWord(width, to: &bytes)
        appendWord(height, to: &bytes)
        // Global colour table of 16 entries (size field 3 → 2^(3+1)), 8-bit colour resolution.
        bytes += [0xF3, 0, 0]
        let palette = PaletteImage.palette
        for index in 0..<16 {
            let (r, g, b) = index < palette.count ? palette[index] : (0, 0, 0)
            bytes += [r, g, b]
        }
        // Loop forever.
        bytes += [0x21, 0xFF, 0x0B] + Array("NETSCAPE2.0".utf8) + [0x03, 0x01, 0x00, 0x00, 0x00]
        return bytes
    }

    /// One frame, shown `delay` hundredths of a second (2…65,535).
    public static func frame(_ frame: PaletteImage, delay: Int) -> [UInt8] {
        // Graphic control extension: no transparency, replace the previous frame.
        var bytes: [UInt8] = [0x21, 0xF9, 0x04, 0x04]
        appendWord(min(max(delay, 2), 65_535), to: &bytes)
        bytes += [0x00, 0x00]
        // Image descriptor: the whole canvas, no local colour table.
        bytes += [0x2C, 0, 0, 0, 0]
        appendWord(frame.width, to: &bytes)
        appendWord(frame.height, to: &bytes)
        bytes += [0x00]
        let minimumCodeSize = 4
        bytes.append(UInt8(minimumCodeSize))
        let compressed = LZW.compress(frame.pixels, minimumCodeSize: minimumCodeSize)
        var offset = 0
        while offset < compressed.count {
            let count = min(255, compressed.count - offset)
            bytes.append(UInt8(count))
            bytes += compressed[offset..<(offset + count)]
            offset += count
        }
        bytes.append(0)
        return bytes
    }

    /// The end of a GIF.
    public static let trailer: [UInt8] = [0x3B]

    private static func appendWord(_ value: Int, to bytes: inout [UInt8]) {
        bytes += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)]
    }
}

/// GIF's variant of LZW: variable code width from `minimumCodeSize + 1` up to 12 bits, codes packed
/// least-significant bit first, a clear code at the start and whenever the table fills.
enum LZW {
    static func compress(_ pixels: [UInt8], minimumCodeSize: Int) -> [UInt8] {
        let clear = 1 << minimumCodeSize, end = clear + 1
        var writer = BitWriter()
        writer.bytes.reserveCapacity(pixels.count / 4 + 16)
        func emit(_ code: Int, _ width: Int) { writer.write(code, bits: width) }
        var width = minimumCodeSize + 1
        var next = end + 1
        emit(clear, width)
        guard let first = pixels.first else {
            emit(end, width)
            writer.flush()
            return writer.bytes
        }
        // The string table as a flat array: the code of (prefix code, next pixel) at prefix·alphabet + pixel,
        // 0 for none (no string's code is 0: codes of strings start past the end code). A dictionary here
        // made the tour's GIFs four times slower to encode.
        let alphabet = clear
        var table = [UInt16](repeating: 0, count: 4096 * alphabet)
        var prefix = Int(first)
        table.withUnsafeMutableBufferPointer { codes in
            pixels.withUnsafeBufferPointer { source in
                var index = 0
                while index + 1 < source.count {
                    index += 1
                    let pixel = Int(source[index])
                    let slot = prefix * alphabet + pixel
                    let code = Int(codes[slot])
                    if code != 0 {
                        prefix = code
                        continue
                    }
                    emit(prefix, width)
                    if next == 4096 {
                        // The table is full: start over.
                        emit(clear, width)
                        codes.update(repeating: 0)
                        width = minimumCodeSize + 1
                        next = end + 1
                    } else {
                        codes[slot] = UInt16(next)
                        if next == 1 << width && width < 12 { width += 1 }
                        next += 1
                    }
                    prefix = pixel
                }
            }
        }
        emit(prefix, width)
        emit(end, width)
        writer.flush()
        return writer.bytes
    }
}
