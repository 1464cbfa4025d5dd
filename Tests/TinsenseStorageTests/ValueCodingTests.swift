import Testing
import TinsenseCore
import TinsenseEncoding

/// Builds a 1 Hz series from decimal texts (times regular unless `jitter`).
func columns(texts: [String], start: Int64 = 1_780_000_000_000, jitter: ((Int) -> Int64)? = nil) -> ChunkColumns {
    var c = ChunkColumns()
    let meta = SampleMeta(quality: 0, flags: 0, unit: "A")
    for (i, text) in texts.enumerated() {
        let v = DecimalValue(text)!
        let t = start + Int64(i) * 1000
        c.append(sourceTime: t, receiveTime: t + (jitter?(i) ?? 0), mantissa: v.mantissa, scale: v.scale, meta: meta)
    }
    return c
}

/// `%g`-style text with `digits` significant digits (trailing zeros dropped), as C's printf
/// and most PLC gateways write floats.
func gText(_ x: Double, digits: Int = 6) -> String {
    guard x != 0 else { return "0" }
    let magnitude = Int((abs(x)).log10Floor)
    let decimals = max(0, digits - 1 - magnitude)
    let scaled = (x * pow10(decimals)).rounded()
    var text = DecimalValue(mantissa: Int64(scaled), scale: UInt8(decimals)).description
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text
}

func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }

extension Double {
    var log10Floor: Double {
        var m = 0.0
        var x = self
        while x >= 10 { x /= 10; m += 1 }
        while x < 1 { x *= 10; m -= 1 }
        return m
    }
}

func gaussian(_ rng: inout SplitMix64) -> Double {
    // Box–Muller from two uniform draws.
    let u = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300)
    let v = Double(rng.next() >> 11) / Double(1 << 53)
    return (-2 * u.logNatural).squareRoot() * cosine(2 * Double.pi * v)
}

extension Double {
    /// ln(x) by frexp-free series: enough for test noise.
    var logNatural: Double {
        var x = self
        var k = 0.0
        while x > 2 { x /= 2.718281828459045; k += 1 }
        while x < 0.5 { x *= 2.718281828459045; k -= 1 }
        let y = (x - 1) / (x + 1)
        var term = y
        var sum = 0.0
        var n = 1.0
        for _ in 0..<40 { sum += term / n; term *= y * y; n += 2 }
        return k + 2 * sum
    }
}

func cosine(_ x: Double) -> Double {
    var a = x.truncatingRemainder(dividingBy: 2 * Double.pi)
    if a > Double.pi { a -= 2 * Double.pi }
    var term = 1.0, sum = 1.0
    for k in 1..<30 {
        term *= -a * a / Double((2 * k - 1) * (2 * k))
        sum += term
    }
    return sum
}

func roundTrips(_ c: ChunkColumns) throws -> ChunkLayout {
    let bytes = ChunkEncoder.encode(c)
    let d = try ChunkDecoder.decode(bytes)
    #expect(d.sourceTimes == c.sourceTimes)
    #expect(d.receiveTimes == c.receiveTimes)
    let texts = (0..<c.count).map { DecimalValue(mantissa: c.mantissas[$0], scale: c.scales[$0]).description }
    let back = (0..<d.count).map { DecimalValue(mantissa: d.mantissas[$0], scale: d.scales[$0]).description }
    #expect(back == texts)
    return try ChunkDecoder.layout(bytes)
}

@Suite("value coding modes")
struct ValueCodingTests {
    @Test("white noise around a level: bucket residuals against a stored reference")
    func noiseAroundLevel() throws {
        var rng = SplitMix64(seed: 1)
        let texts = (0..<2000).map { _ in gText(238.0 + 4 * gaussian(&rng)) }
        let layout = try roundTrips(columns(texts: texts))
        #expect(layout.valueMode == .bucket)
        #expect(layout.predictor == .reference)
        #expect(layout.timeMode == .codedIntervals)
        #expect(layout.receiveMode == .sameAsSource)
    }

    @Test("noise on a drifting level: the mean of the previous four")
    func noiseOnDrift() throws {
        var rng = SplitMix64(seed: 2)
        let texts = (0..<2000).map { i in gText(80 + Double(i) * 0.01 + 0.02 * gaussian(&rng) + 3 * cosine(Double(i) / 150)) }
        let layout = try roundTrips(columns(texts: texts))
        #expect(layout.valueMode == .bucket)
        #expect(layout.predictor == .mean4 || layout.predictor == .previous)
    }

    @Test("%g text whose scale changes with magnitude (0.99… then 1.0…): residuals on each sample's own grid, scales exact")
    func perSampleScales() throws {
        var rng = SplitMix64(seed: 3)
        let texts = (0..<3000).map { _ in gText(1.3 + 0.45 * gaussian(&rng)) }
        #expect(Set(texts.map { DecimalValue($0)!.scale }).count > 1)
        let layout = try roundTrips(columns(texts: texts))
        #expect(layout.valueMode == .bucket)
        #expect(layout.perSampleScales)
        #expect(layout.scaleMode == .inValues)
    }

    @Test("an ADC's few levels rounded to decimal text: a dictionary of distinct texts, '119.0' kept apart from '119'")
    func quantisedLevels() throws {
        var rng = SplitMix64(seed: 4)
        let levels = (0..<40).map { gText(118.0 + Double($0) * 0.333333) } + ["119.0", "120.00"]
        let texts = (0..<2500).map { _ in levels[Int(rng.next() % UInt64(levels.count))] }
        let layout = try roundTrips(columns(texts: texts))
        #expect(layout.valueMode == .dictionary)
        #expect(layout.scaleMode == .inValues)
    }

    @Test("a stuck sensor costs almost nothing")
    func constant() throws {
        let c = columns(texts: Array(repeating: "7.25", count: 5000))
        let bytes = ChunkEncoder.encode(c)
        #expect(bytes.count < 80)
        _ = try roundTrips(c)
    }

    @Test("live receive-time jitter: receive offsets entropy-coded")
    func receiveJitter() throws {
        var rng = SplitMix64(seed: 5)
        let texts = (0..<1000).map { _ in gText(50 + gaussian(&rng)) }
        let layout = try roundTrips(columns(texts: texts) { _ in Int64(rng.next() % 40) })
        #expect(layout.receiveMode == .codedOffsets)
    }

    @Test("outliers far beyond the buckets are escaped, values near Int64's limits fall back to raw mantissas")
    func escapesAndExtremes() throws {
        var rng = SplitMix64(seed: 6)
        var texts = (0..<1000).map { _ in gText(10 + gaussian(&rng)) }
        texts[10] = "9000000000000.5"
        texts[500] = "-12345678901234.25"
        let layout = try roundTrips(columns(texts: texts))
        #expect(layout.valueMode == .bucket)
        var extreme = ChunkColumns()
        let meta = SampleMeta(quality: 0, flags: 0, unit: nil)
        for i in 0..<200 {
            extreme.append(sourceTime: Int64(i), receiveTime: Int64(i), mantissa: i % 2 == 0 ? Int64.max - Int64(i) : Int64(i),
                           scale: UInt8(i % 3), meta: meta)
        }
        _ = try roundTrips(extreme)
    }
}

@Suite("rANS")
struct RANSTests {
    @Test("models from random counts sum to 4096 with every present symbol ≥ 1", arguments: 0..<40)
    func models(seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed) + 100)
        let m = 1 + Int(rng.next() % 300)
        let counts = (0..<m).map { _ in rng.next() % 3 == 0 ? 0 : Int(rng.next() % (seed % 2 == 0 ? 5 : 1_000_000)) }
        let codes = counts.withUnsafeBufferPointer { RANSModel.codes(forCounts: $0) }
        guard codes.contains(where: { $0 > 0 }) else { return }
        let model = try RANSModel(codes: codes)
        #expect(model.frequencies.reduce(0, +) == RANSModel.total)
        for i in 0..<m { #expect((model.frequencies[i] > 0) == (counts[i] > 0)) }
    }

    @Test("random symbol streams round-trip; truncation and damage are errors", arguments: 0..<20)
    func streams(seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed) + 7)
        let m = 1 + Int(rng.next() % 200)
        let n = Int(rng.next() % 5000)
        let symbols = (0..<n).map { _ in UInt16(min(rng.next() % UInt64(m), rng.next() % UInt64(m))) }
        var counts = [Int](repeating: 0, count: m)
        for s in symbols { counts[Int(s)] += 1 }
        counts[0] += 1
        let model = try RANSModel(codes: counts.withUnsafeBufferPointer { RANSModel.codes(forCounts: $0) })
        var sink = ByteSink(capacity: 0)
        symbols.withUnsafeBufferPointer { RANSEncoder.encode($0, model: model, into: &sink) }
        let bytes = sink.bytes
        try bytes.withUnsafeBytes { p in
            var src = ByteSource(p)
            var decoder = try RANSDecoder(&src, model: model)
            defer { decoder.release() }
            var back: [UInt16] = []
            for _ in 0..<n { back.append(UInt16(try decoder.next())) }
            try decoder.finish()
            #expect(back == symbols)
        }
        guard bytes.count > 9 else { return }
        let cut = Array(bytes.prefix(bytes.count - 3))
        #expect(throws: ChunkDecodingError.self) {
            try cut.withUnsafeBytes { p in
                var src = ByteSource(p)
                var decoder = try RANSDecoder(&src, model: model)
                defer { decoder.release() }
                for _ in 0..<n { _ = try decoder.next() }
                try decoder.finish()
            }
        }
    }
}
