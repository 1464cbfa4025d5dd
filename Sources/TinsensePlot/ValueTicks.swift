/// The value axis: a range padded around the data and "nice" tick steps (1, 2, 5 × 10ⁿ),
/// labelled with as many decimals as the step needs.
struct ValueTicks: Equatable {
    var low: Double
    var high: Double
    var step: Double
    var ticks: [Double]

    /// About `target` ticks covering `minimum…maximum`. A constant series gets a band around
    /// its value; ranges too wide for a Double's difference are halved before subtracting.
    init(minimum: Double, maximum: Double, target: Int = 5) {
        var lo = minimum, hi = maximum
        if !(lo.isFinite && hi.isFinite) || lo > hi { lo = 0; hi = 1 }
        if lo == hi {
            let pad = lo == 0 ? 1 : Swift.abs(lo) * 0.05
            lo -= pad
            hi += pad
        }
        var span = hi - lo
        if !span.isFinite { span = hi / 2 - lo / 2; span *= 2 }
        if !span.isFinite { span = .greatestFiniteMagnitude }
        let raw = span / Double(Swift.max(target, 1))
        var step = ValueTicks.niceStep(raw)
        if !step.isFinite || step <= 0 { step = raw }
        var first = (lo / step).rounded(.down) * step
        var last = (hi / step).rounded(.up) * step
        if !first.isFinite { first = -.greatestFiniteMagnitude }
        if !last.isFinite { last = .greatestFiniteMagnitude }
        // A step below the values' resolution (huge magnitudes) would loop forever: cap the count.
        var ticks: [Double] = []
        var t = first
        while t <= last, ticks.count < 50 {
            ticks.append(t == 0 ? 0 : t)
            let next = t + step
            if next <= t { break }
            t = next
        }
        low = first
        high = ticks.last ?? last
        if high <= low { high = low + step }
        self.step = step
        self.ticks = ticks
    }

    /// 1, 2 or 5 times a power of ten, the smallest not below `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        var p = 1.0
        while p * 10 <= raw { p *= 10 }
        while p > raw { p /= 10 }
        for m in [1.0, 2.0, 5.0, 10.0] where m * p >= raw { return m * p }
        return 10 * p
    }

    /// The tick's label: decimals from the step (0.25 → 2), exponent form for very large
    /// or very small magnitudes.
    func label(_ v: Double) -> String {
        ValueTicks.format(v, step: step)
    }

    static func format(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        let magnitude = Swift.max(Swift.abs(v), step)
        if magnitude >= 1e7 || step < 1e-4 { return scientific(v, step: step) }
        var decimals = 0
        var s = step
        while decimals < 6, (s - s.rounded()).magnitude > 1e-9 * Swift.max(1, s) {
            s *= 10
            decimals += 1
        }
        return fixed(v, decimals: decimals)
    }

    /// A single value without a scale to go by (a quarantined reading): six significant
    /// digits, trailing zeros dropped (`9999`, `0.00125`, `1.5e9`).
    static func compact(_ v: Double) -> String {
        guard v != 0, v.isFinite else { return v.isFinite ? "0" : "\(v)" }
        var exponent = 0
        var m = Swift.abs(v)
        while m >= 10 { m /= 10; exponent += 1 }
        while m < 1 { m *= 10; exponent -= 1 }
        func trimmed(_ t: String) -> String {
            guard t.contains(".") else { return t }
            var t = t
            while t.hasSuffix("0") { t.removeLast() }
            if t.hasSuffix(".") { t.removeLast() }
            return t
        }
        if exponent >= 7 || exponent < -4 {
            return (v < 0 ? "-" : "") + trimmed(fixed(m, decimals: 5)) + "e" + String(exponent)
        }
        return trimmed(fixed(v, decimals: Swift.max(0, 5 - exponent)))
    }

    /// `v` with `decimals` digits after the point (no Foundation formatting in a pure module).
    static func fixed(_ v: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let n = (Swift.abs(v) * scale).rounded()
        guard n < 9e15 else { return scientific(v, step: Swift.abs(v)) }
        let i = Int64(n)
        var digits = String(i)
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
        }
        return (v < 0 && i != 0 ? "-" : "") + digits
    }

    /// `1.5e9`: a mantissa with the digits the step needs and a power of ten.
    static func scientific(_ v: Double, step: Double) -> String {
        var exponent = 0
        var m = Swift.abs(v)
        while m >= 10 { m /= 10; exponent += 1 }
        while m < 1, m > 0 { m *= 10; exponent -= 1 }
        var stepExponent = 0
        var s = Swift.abs(step)
        while s >= 10 { s /= 10; stepExponent += 1 }
        while s < 1, s > 0 { s *= 10; stepExponent -= 1 }
        let decimals = Swift.max(0, Swift.min(6, exponent - stepExponent))
        return (v < 0 ? "-" : "") + fixed(m, decimals: decimals) + "e" + String(exponent)
    }
}
