/// The baseline: Facebook Gorilla (VLDB 2015) as Prometheus' XOR chunks use it, timestamps
/// as bucketed delta-of-delta and values as XOR of IEEE doubles with leading/trailing zero
/// windows. Written here only to be measured beside tinsense's codec in the same run.
struct BitWriter {
    var bytes: [UInt8] = []
    var acc: UInt64 = 0
    var used = 0

    mutating func write(_ value: UInt64, _ count: Int) {
        guard count > 0 else { return }
        var v = count == 64 ? value : value & ((1 << UInt64(count)) - 1)
        var n = count
        while n > 0 {
            let room = 64 - used
            let take = min(room, n)
            let part = take == 64 ? v : v >> UInt64(n - take)
            acc = take == 64 ? part : (acc << UInt64(take)) | (part & ((1 << UInt64(take)) - 1))
            used += take
            n -= take
            if n > 0 { v &= (1 << UInt64(n)) - 1 }
            if used == 64 { flush() }
        }
    }

    mutating func flush() {
        for i in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: acc >> UInt64(i))) }
        acc = 0
        used = 0
    }

    mutating func finish() -> [UInt8] {
        if used > 0 {
            let pad = 64 - used
            acc <<= UInt64(pad)
            let keep = (used + 7) / 8
            for i in 0..<keep { bytes.append(UInt8(truncatingIfNeeded: acc >> UInt64(56 - 8 * i))) }
        }
        return bytes
    }
}

struct BitReader {
    let bytes: [UInt8]
    var bit = 0

    /// Reads up to a byte at a time (a fair, not a strawman, baseline).
    mutating func read(_ count: Int) -> UInt64 {
        var v: UInt64 = 0
        var n = count
        while n > 0 {
            let offset = bit & 7
            let available = 8 - offset
            let take = min(available, n)
            let b = (UInt64(bytes[bit >> 3]) >> UInt64(available - take)) & ((1 << UInt64(take)) - 1)
            v = (take == 64 ? 0 : v << UInt64(take)) | b
            n -= take
            bit += take
        }
        return v
    }
}

enum GorillaCodec {
    static func encode(times: [Int64], values: [Double]) -> [UInt8] {
        var w = BitWriter()
        w.write(UInt64(times.count), 32)
        guard !times.isEmpty else { return w.finish() }
        w.write(UInt64(bitPattern: times[0]), 64)
        w.write(values[0].bitPattern, 64)
        var prevT = times[0]
        var prevDelta: Int64 = 0
        var prevV = values[0].bitPattern
        var leading = 65
        var trailing = 0
        for i in 1..<times.count {
            let delta = times[i] - prevT
            let dod = delta - prevDelta
            switch dod {
            case 0: w.write(0, 1)
            case -64...63: w.write(0b10, 2); w.write(UInt64(bitPattern: dod), 7)
            case -256...255: w.write(0b110, 3); w.write(UInt64(bitPattern: dod), 9)
            case -2048...2047: w.write(0b1110, 4); w.write(UInt64(bitPattern: dod), 12)
            default: w.write(0b1111, 4); w.write(UInt64(bitPattern: dod), 64)
            }
            prevDelta = delta
            prevT = times[i]
            let v = values[i].bitPattern
            let x = v ^ prevV
            prevV = v
            if x == 0 {
                w.write(0, 1)
                continue
            }
            let lz = min(x.leadingZeroBitCount, 31)
            let tz = x.trailingZeroBitCount
            if leading <= 64, lz >= leading, tz >= trailing {
                w.write(0b10, 2)
                w.write(x >> UInt64(trailing), 64 - leading - trailing)
            } else {
                leading = lz
                trailing = tz
                let significant = 64 - lz - tz
                w.write(0b11, 2)
                w.write(UInt64(lz), 5)
                w.write(UInt64(significant == 64 ? 0 : significant), 6)
                w.write(x >> UInt64(tz), significant)
            }
        }
        return w.finish()
    }

    static func decode(_ bytes: [UInt8]) -> (times: [Int64], values: [Double]) {
        var r = BitReader(bytes: bytes)
        let n = Int(r.read(32))
        guard n > 0 else { return ([], []) }
        var times = [Int64]()
        var values = [Double]()
        times.reserveCapacity(n)
        values.reserveCapacity(n)
        var t = Int64(bitPattern: r.read(64))
        var v = r.read(64)
        times.append(t)
        values.append(Double(bitPattern: v))
        var delta: Int64 = 0
        var leading = 0
        var trailing = 0
        func signExtend(_ x: UInt64, _ bits: Int) -> Int64 {
            let shift = UInt64(64 - bits)
            return Int64(bitPattern: x << shift) >> Int64(shift)
        }
        for _ in 1..<n {
            var dod: Int64
            if r.read(1) == 0 { dod = 0 } else if r.read(1) == 0 { dod = signExtend(r.read(7), 7) } else if r.read(1) == 0 {
                dod = signExtend(r.read(9), 9)
            } else if r.read(1) == 0 { dod = signExtend(r.read(12), 12) } else { dod = Int64(bitPattern: r.read(64)) }
            delta += dod
            t += delta
            times.append(t)
            if r.read(1) == 1 {
                if r.read(1) == 1 {
                    leading = Int(r.read(5))
                    var significant = Int(r.read(6))
                    if significant == 0 { significant = 64 }
                    trailing = 64 - leading - significant
                }
                let x = r.read(64 - leading - trailing) << UInt64(trailing)
                v ^= x
            }
            values.append(Double(bitPattern: v))
        }
        return (times, values)
    }
}
