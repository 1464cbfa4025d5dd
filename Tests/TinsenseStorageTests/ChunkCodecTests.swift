import Testing
import TinsenseCore
import TinsenseEncoding

/// Random series of the kinds sensors produce and of the kinds that break codecs.
func randomColumns(seed: UInt64, count: Int) -> ChunkColumns {
    var rng = SplitMix64(seed: seed)
    var c = ChunkColumns()
    var t = Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &rng)
    var m = Int64.random(in: -1_000_000...1_000_000, using: &rng)
    let style = seed % 6
    let units: [String?] = [nil, "°C", "kPa", "m³/h", "%Sn"]
    for i in 0..<count {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: t &+= Int64.random(in: 1...3_600_000, using: &rng)             // irregular gap
        case 1: t &+= Int64.random(in: 1...3, using: &rng)                     // burst
        default: t &+= 1000                                                    // regular 1 Hz
        }
        var scale = UInt8(seed % 4 == 0 ? Int.random(in: 0...6, using: &rng) : 3)
        switch style {
        case 0: m &+= Int64.random(in: -50...50, using: &rng)                  // smooth
        case 1: m = Int64.random(in: -5...5, using: &rng) == 0 ? m : m          // repeated values
        case 2: m = Int64.random(in: Int64.min...Int64.max, using: &rng)       // huge magnitudes
        case 3: m = Int64.random(in: -3...3, using: &rng); scale = UInt8.random(in: 18...30, using: &rng) // tiny values
        case 4: m = Int64.random(in: -999_999...999_999, using: &rng)          // white noise, negatives
        default: m = i % 7 == 0 ? Int64.max - Int64(i) : Int64.min + Int64(i)  // extremes
        }
        let receive = seed % 3 == 0 ? t : t &+ Int64.random(in: -5...200, using: &rng)
        let meta = SampleMeta(quality: UInt8.random(in: 0...3, using: &rng) == 0 ? 1 : 0,
                              flags: UInt8(i % 50 == 0 ? 2 : 0), unit: units[Int(seed % UInt64(units.count))])
        c.append(sourceTime: t, receiveTime: receive, mantissa: m, scale: scale, meta: meta)
    }
    return c
}

@Suite("chunk codec")
struct ChunkCodecTests {
    @Test("random series round-trip exactly", arguments: 0..<120)
    func roundTrip(seed: Int) throws {
        let count = [1, 2, 63, 64, 65, 500, 5000][seed % 7]
        let c = randomColumns(seed: UInt64(seed) &* 7919 &+ 1, count: count)
        let encoded = ChunkEncoder.encode(c)
        let decoded = try ChunkDecoder.decode(encoded)
        #expect(decoded.sourceTimes == c.sourceTimes)
        #expect(decoded.receiveTimes == c.receiveTimes)
        #expect(decoded.mantissas == c.mantissas)
        #expect(decoded.scales == c.scales)
        for i in 0..<c.count {
            #expect(decoded.metas[Int(decoded.metaIndexes[i])] == c.metas[Int(c.metaIndexes[i])])
        }
    }

    @Test("decimal text survives: trailing zeros, negatives, many places")
    func decimalText() throws {
        let texts = ["12.50", "-0.001", "0", "1000", "0.000000000000000000000000000001", "-92233720368547.5807",
                     "3.14159265358979323", "12.5", "12.500", "-12.50", "99999.99999"]
        var c = ChunkColumns()
        for (i, text) in texts.enumerated() {
            let v = DecimalValue(text)!
            c.append(sourceTime: Int64(i) * 1000, receiveTime: Int64(i) * 1000, mantissa: v.mantissa, scale: v.scale,
                     meta: SampleMeta(quality: 0, flags: 0, unit: nil))
        }
        let d = try ChunkDecoder.decode(ChunkEncoder.encode(c))
        let back = (0..<d.count).map { DecimalValue(mantissa: d.mantissas[$0], scale: d.scales[$0]).description }
        #expect(back == texts)
    }

    @Test("damaged chunk bytes never crash the decoder")
    func garbage() {
        let c = randomColumns(seed: 42, count: 300)
        let good = ChunkEncoder.encode(c)
        var rng = SplitMix64(seed: 7)
        for trial in 0..<400 {
            var bad = good
            if trial % 2 == 0 {
                bad[Int.random(in: 0..<bad.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            } else {
                bad.removeLast(Int.random(in: 1..<bad.count, using: &rng))
            }
            // Either an error or (rarely, when the flip hits a don't-care bit) some columns;
            // what matters is that it returns.
            _ = try? ChunkDecoder.decode(bad)
        }
    }
}
