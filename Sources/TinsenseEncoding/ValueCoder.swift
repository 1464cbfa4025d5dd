#if canImport(Glibc)
import Glibc
#endif

/// The entropy-coded value modes of a chunk (docs/FORMAT.md, "Values section"): what a
/// sample's integer value (mantissa, normalised to the chunk's scale when that fits) becomes.
///
/// - **bucket**: the residual against a predictor (previous value, a stored reference, or
///   the mean of the previous four) as a *bucket* symbol `1 + 2·(|r| >> k) + sign`
///   (`|r| >> k` < 127; symbol 0 escapes larger residuals), rANS-coded, plus the `k` low
///   bits raw. For noisy analog channels: the high bits carry the skewed part of the
///   distribution, the low bits are uniform noise no coder can shrink. When `%g` text
///   changes scale with magnitude, residuals can be taken on each sample's own scale.
/// - **dictionary**: the distinct (value, scale) pairs of the chunk (≤ 1,024) sorted and
///   stored once, each sample an rANS-coded index. For quantised signals (an ADC's few
///   levels rounded to decimal text), where deltas spread over many large but repeating
///   numbers.
///
/// The encoder estimates every candidate's size from histograms (no trial compression) and
/// keeps the smallest. Pure: no I/O.
enum ValueCoder {
    /// Symbol 0 is the escape; bucket symbols are `1 + (bucket · 2 + sign)`, so the alphabet
    /// ends at the largest bucket in use (the model table has one code per symbol).
    static let escapeSymbol = 0
    static let alphabetLimit = 1 + 2 * 127
    static let bucketLimit: UInt64 = 127
    static let maxDictionary = 1024

    // MARK: encoding

    enum Outcome {
        /// No candidate beat plain varint deltas; nothing written.
        case none
        /// A values section was written; scales go in their own column.
        case coded
        /// A section carrying every sample's scale was written (dictionary, or bucket with
        /// per-sample scales); no scale column.
        case scalesInValues
    }

    /// Writes the smallest entropy-coded candidate for `v` as values-section content to
    /// `out`, or nothing when none beats `deltaBytes` (the size of plain varint deltas).
    /// `scaleBytes` is what the scale column costs; a dictionary of distinct (value, scale)
    /// pairs saves it.
    static func encode(_ v: UnsafeBufferPointer<Int64>, scales: UnsafeBufferPointer<UInt8>, normalized: Bool, maxScale: UInt8,
                       deltaBytes: Int, scaleBytes: Int, into out: inout ByteSink) -> Outcome {
        // A dictionary under one bit per sample (a cadence with a few jitter values, a
        // two-state signal) is kept without planning buckets: their order-0 model of the
        // same values cannot be smaller, and a predictor could win back less than that bit.
        let dictionary = planDictionary(v, scales: scales, normalized: normalized, maxScale: maxScale)
        if let d = dictionary, (d.bytes - scaleBytes) * 8 < v.count, d.bytes - scaleBytes < deltaBytes {
            out.append(ChunkFormat.ValueMode.dictionary.rawValue)
            writeScaleHeader(normalized: normalized, maxScale: maxScale, into: &out)
            writeDictionary(v, scales: scales, plan: d, into: &out)
            return .scalesInValues
        }
        var grid: Grid?
        if normalized, let first = scales.first, scales.contains(where: { $0 != first }) {
            // Worth trying only when coarser samples are common enough: a residual on a
            // grid 10^step coarser saves up to step · log2(10) bits, the step costs its
            // entropy.
            var steps = [UInt8](repeating: 0, count: v.count)
            var stepCounts = [Int](repeating: 0, count: 19)
            var fits = true
            var saving = 0.0
            for i in 0..<v.count {
                let step = Int(maxScale) - Int(scales[i])
                guard step <= 18 else { fits = false; break }
                steps[i] = UInt8(step)
                stepCounts[step] += 1
                saving += Double(step) * 3.32
            }
            var entropy = 0.0
            for c in stepCounts where c > 0 { entropy -= Double(c) * log2(Double(c) / Double(v.count)) }
            if fits && saving > entropy + Double(v.count) * 0.25 { grid = Grid(steps: steps, counts: stepCounts) }
        }
        let bucket = planBucket(v, grid: grid, gridScaleBytes: scaleBytes)
        var best = deltaBytes
        var choice = 0
        if bucket.bytes < best { best = bucket.bytes; choice = 1 }
        if let d = dictionary, d.bytes - scaleBytes < best { best = d.bytes - scaleBytes; choice = 2 }
        switch choice {
        case 1:
            out.append(ChunkFormat.ValueMode.bucket.rawValue)
            writeScaleHeader(normalized: normalized, maxScale: maxScale, into: &out)
            writeBucket(v, plan: bucket, into: &out)
            return bucket.grid == nil ? .coded : .scalesInValues
        case 2:
            out.append(ChunkFormat.ValueMode.dictionary.rawValue)
            writeScaleHeader(normalized: normalized, maxScale: maxScale, into: &out)
            writeDictionary(v, scales: scales, plan: dictionary!, into: &out)
            return .scalesInValues
        default:
            return .none
        }
    }

    /// An *integer block* for a plain Int64 column (time intervals, receive offsets):
    /// `varint length | values-section content without scales` (not normalized), written
    /// only when smaller than `budget` bytes; returns whether it was written.
    static func encodeIntegers(_ v: UnsafeBufferPointer<Int64>, budget: Int, into out: inout ByteSink) -> Bool {
        let noScales = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: v.count)
        noScales.initialize(repeating: 0)
        defer { noScales.deallocate() }
        var content = ByteSink(capacity: 64)
        let outcome = encode(v, scales: UnsafeBufferPointer(noScales), normalized: false, maxScale: 0,
                             deltaBytes: budget, scaleBytes: 0, into: &content)
        guard outcome != .none, content.count + 3 < budget else { return false }
        out.appendVarint(UInt64(content.count))
        content.withUnsafeBytes { out.append($0) }
        return true
    }

    /// Reads an integer block into `out` (whose count the caller knows).
    static func decodeIntegers(_ src: inout ByteSource, into out: UnsafeMutableBufferPointer<Int64>) throws(ChunkDecodingError) {
        let length = try src.count(limit: src.remaining)
        var block = ByteSource(try src.bytes(length))
        let modeByte = try block.byte()
        guard try block.byte() == 0 else { throw .malformed("integer block with a scale") }
        switch ChunkFormat.ValueMode(rawValue: modeByte) {
        case .bucket: try decodeBucket(&block, maxScale: 0, scales: nil, into: out)
        case .dictionary: try decodeDictionary(&block, normalized: false, maxScale: 0, scales: nil, into: out)
        default: throw .unsupported("integer block mode \(modeByte)")
        }
    }

    static func writeScaleHeader(normalized: Bool, maxScale: UInt8, into out: inout ByteSink) {
        out.append(normalized ? 1 : 0)
        if normalized { out.append(maxScale) }
    }

    struct BucketPlan {
        var predictor: ChunkFormat.Predictor
        var reference: Int64
        var k: Int
        var codes: [UInt8]
        var bytes: Int
        /// Per-sample scale steps `S − scale` (nil: residuals at the chunk scale `S`).
        var grid: [UInt8]? = nil
        var gridCodes: [UInt8] = []
        /// The residuals the plan was made from (written as they are).
        var residuals: [Int64] = []
    }

    /// Floor division (Swift's `/` truncates toward zero).
    @inline(__always)
    static func floorDivide(_ a: Int64, _ q: Int64) -> Int64 {
        let t = a / q
        return (a % q != 0 && (a < 0) != (q < 0)) ? t - 1 : t
    }

    /// The prediction rounded to a sample's own decimal grid (`q = 10^step`).
    @inline(__always)
    static func onGrid(_ prediction: Int64, _ q: Int64) -> Int64 {
        q == 1 ? prediction : floorDivide(prediction &+ q / 2, q)
    }

    /// Residuals in units of each sample's own scale: `v/q − onGrid(prediction, q)`.
    static func gridResiduals(_ v: UnsafeBufferPointer<Int64>, grid: [UInt8], predictor: ChunkFormat.Predictor, reference: Int64, into r: UnsafeMutableBufferPointer<Int64>) {
        residuals(v, predictor: predictor, reference: reference, into: r)
        // r = v − prediction, so prediction = v − r.
        for i in 0..<v.count where grid[i] > 0 {
            let q = powersOfTen[Int(grid[i])]
            r[i] = v[i] / q &- onGrid(v[i] &- r[i], q)
        }
    }

    /// Residuals against the predictor (the decoder runs the same recurrences).
    @inline(__always)
    static func residuals(_ v: UnsafeBufferPointer<Int64>, predictor: ChunkFormat.Predictor, reference: Int64, into r: UnsafeMutableBufferPointer<Int64>) {
        let n = v.count
        switch predictor {
        case .previous:
            var prev: Int64 = 0
            for i in 0..<n {
                r[i] = v[i] &- prev
                prev = v[i]
            }
        case .reference:
            for i in 0..<n { r[i] = v[i] &- reference }
        case .mean4:
            guard n > 0 else { return }
            r[0] = v[0]
            // History starts as four copies of the first value.
            var a = v[0], b = v[0], c = v[0], d = v[0]
            var sum = v[0] &* 4
            for i in 1..<n {
                r[i] = v[i] &- (sum >> 2)
                sum = sum &- a &+ v[i]
                a = b; b = c; c = d; d = v[i]
            }
        }
    }

    /// Every sample's scale step `S − scale` (≤ 18), and how often each step occurs.
    struct Grid {
        var steps: [UInt8]
        var counts: [Int]
    }

    /// `grid`: the scale steps when the chunk is normalized and its scales vary;
    /// `gridScaleBytes`: the scale column a grid plan makes unnecessary.
    static func planBucket(_ v: UnsafeBufferPointer<Int64>, grid: Grid?, gridScaleBytes: Int) -> BucketPlan {
        let n = v.count
        var mean = 0.0
        for x in v { mean += Double(x) }
        mean /= Double(max(n, 1))
        let reference: Int64 = mean.magnitude < 9e18 ? Int64(mean.rounded()) : 0
        // Predictor: the smallest sum of absolute residuals, all three in one pass (the
        // first sample is skipped: every predictor but `reference` starts from 0).
        var sumPrevious: UInt64 = 0, sumReference: UInt64 = 0, sumMean4: UInt64 = 0
        if n > 1 {
            let cap = UInt64(1) << 40
            var a = v[0], b = v[0], c = v[0], d = v[0]
            var sum = v[0] &* 4
            for i in 1..<n {
                let x = v[i]
                sumPrevious &+= min((x &- d).magnitude, cap)
                sumReference &+= min((x &- reference).magnitude, cap)
                sumMean4 &+= min((x &- (sum >> 2)).magnitude, cap)
                sum = sum &- a &+ x
                a = b; b = c; c = d; d = x
            }
        }
        var bestPredictor = ChunkFormat.Predictor.previous
        var bestSum = sumPrevious
        if sumReference < bestSum { bestSum = sumReference; bestPredictor = .reference }
        if sumMean4 < bestSum { bestSum = sumMean4; bestPredictor = .mean4 }
        var plan = BucketPlan(predictor: bestPredictor, reference: reference, k: 0, codes: [], bytes: Int.max)
        plan.residuals = [Int64](unsafeUninitializedCapacity: n) { buffer, count in
            residuals(v, predictor: bestPredictor, reference: reference, into: buffer)
            count = n
        }
        (plan.k, plan.codes, plan.bytes) = plan.residuals.withUnsafeBufferPointer { planShift($0) }
        // Values whose text scale varies with magnitude (`%g`: 0.998765 then 1.00123):
        // residuals at each sample's own scale, plus that scale's step, when cheaper.
        if let grid {
            let onGrid = [Int64](unsafeUninitializedCapacity: n) { buffer, count in
                gridResiduals(v, grid: grid.steps, predictor: bestPredictor, reference: reference, into: buffer)
                count = n
            }
            var (k, codes, bytes) = onGrid.withUnsafeBufferPointer { planShift($0) }
            let m = (grid.counts.lastIndex { $0 > 0 } ?? 0) + 1
            let (gridCodes, gridBits) = grid.counts.withUnsafeBufferPointer { modelCost(UnsafeBufferPointer(rebasing: $0[0..<m])) }
            bytes += (Int(gridBits) + 7) / 8 + RANSModel.codesSize(m) + 4 - gridScaleBytes
            if bytes < plan.bytes {
                plan.k = k
                plan.codes = codes
                plan.bytes = bytes
                plan.grid = grid.steps
                plan.gridCodes = gridCodes
                plan.residuals = onGrid
            }
        }
        return plan
    }

    /// The bucket shift for residuals `r`: (k, model codes, estimated section bytes).
    static func planShift(_ r: UnsafeBufferPointer<Int64>) -> (Int, [UInt8], Int) {
        let n = r.count
        // Shift: around the median residual's bit length (a mean would follow the outliers),
        // from one histogram at the smallest candidate shift, merged for the larger ones.
        // Counting loops run over raw pointers with wrapping adds, two tables interleaved so
        // that consecutive equal keys do not wait on each other's stores.
        let lengths = UnsafeMutablePointer<Int>.allocate(capacity: 130)
        lengths.initialize(repeating: 0, count: 130)
        defer { lengths.deallocate() }
        var i = 0
        while i + 1 < n {
            lengths[64 - r[i].magnitude.leadingZeroBitCount] &+= 1
            lengths[65 + 64 - r[i + 1].magnitude.leadingZeroBitCount] &+= 1
            i += 2
        }
        if i < n { lengths[64 - r[i].magnitude.leadingZeroBitCount] &+= 1 }
        var median = 0
        var seen = 0
        while median < 64 && seen + lengths[median] + lengths[65 + median] <= n / 2 {
            seen += lengths[median] + lengths[65 + median]
            median += 1
        }
        let kLow = max(0, median - 4)
        let span = 4
        let bins = Int(bucketLimit) << span
        let histogram = UnsafeMutablePointer<Int>.allocate(capacity: bins * 4)
        histogram.initialize(repeating: 0, count: bins * 4)
        defer { histogram.deallocate() }
        var bigEscapes = 0
        var bigEscapeBytes = 0
        var usedBins = 0
        let shift = UInt64(kLow)
        for i in 0..<n {
            let x = r[i]
            let high = x.magnitude >> shift
            if high >= UInt64(bins) {
                bigEscapes += 1
                bigEscapeBytes += ChunkEncoder.varintSize(ZigZag.encode(x))
            } else {
                histogram[(i & 1) * bins * 2 + (Int(high) << 1 | (x < 0 ? 1 : 0))] &+= 1
                usedBins = max(usedBins, Int(high) + 1)
            }
        }
        for b in 0..<(usedBins * 2) { histogram[b] &+= histogram[bins * 2 + b] }
        var best = (k: kLow, codes: [UInt8](), bytes: Int.max)
        var counts = [Int](repeating: 0, count: alphabetLimit)
        for j in 0...span {
            let k = kLow + j
            guard k <= 62 else { break }
            for i in counts.indices { counts[i] = 0 }
            var escapes = bigEscapes
            var escapeBytes = bigEscapeBytes
            for bin in 0..<usedBins {
                let plus = histogram[bin << 1], minus = histogram[bin << 1 | 1]
                if plus == 0 && minus == 0 { continue }
                let high = bin >> j
                if high >= Int(bucketLimit) {
                    escapes += plus + minus
                    // A lower bound of the escaped value's size: the bin's smallest magnitude.
                    let size = ChunkEncoder.varintSize(UInt64(bin) << UInt64(kLow + 1))
                    escapeBytes += (plus + minus) * size
                } else {
                    counts[1 + (high << 1)] += plus
                    counts[2 + (high << 1)] += minus
                }
            }
            counts[escapeSymbol] = escapes
            var m = counts.count
            while m > 1 && counts[m - 1] == 0 { m -= 1 }
            let (codes, bits) = counts.withUnsafeBufferPointer { c in modelCost(UnsafeBufferPointer(rebasing: c[0..<m])) }
            let total = (Int(bits) + (n - escapes) * k + 7) / 8 + RANSModel.codesSize(m) + escapeBytes
                + ChunkEncoder.varintSize(UInt64(escapes)) + 8 + 4
            if total < best.bytes {
                best.k = k
                best.codes = codes
                best.bytes = total
            }
        }
        return (best.k, best.codes, best.bytes)
    }

    /// The codes for `counts` and the bits the symbols take under them.
    static func modelCost(_ counts: UnsafeBufferPointer<Int>) -> ([UInt8], Double) {
        let codes = RANSModel.codes(forCounts: counts)
        guard let model = try? RANSModel(codes: codes) else { return (codes, .infinity) }
        return (codes, model.cost(counts: counts) + 32)
    }

    static func writeBucket(_ v: UnsafeBufferPointer<Int64>, plan: BucketPlan, into out: inout ByteSink) {
        let n = v.count
        out.append(plan.predictor.rawValue)
        if plan.predictor == .reference { out.appendSigned(plan.reference) }
        out.append(UInt8(plan.k))
        out.append(plan.grid == nil ? 0 : 1)
        RANSModel.writeCodes(plan.codes, into: &out)
        if plan.grid != nil { RANSModel.writeCodes(plan.gridCodes, into: &out) }
        let r = plan.residuals
        let symbols = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: n)
        defer { symbols.deallocate() }
        var escapes: [Int64] = []
        var bits = ByteSink(capacity: (n * plan.k + 7) / 8 + 16)
        var writer = BitWriter()
        let k = UInt64(plan.k)
        let mask: UInt64 = plan.k == 0 ? 0 : UInt64.max >> (64 - k)
        for i in 0..<n {
            let x = r[i]
            let high = x.magnitude >> k
            if high >= bucketLimit {
                symbols[i] = UInt16(escapeSymbol)
                escapes.append(x)
            } else {
                symbols[i] = UInt16(1 + (high << 1 | (x < 0 ? 1 : 0)))
                if plan.k > 0 { writer.write(x.magnitude & mask, count: plan.k, into: &bits) }
            }
        }
        writer.flush(into: &bits)
        out.appendVarint(UInt64(escapes.count))
        for e in escapes { out.appendSigned(e) }
        // The plan's codes came from an estimate; a symbol it did not count (it cannot, but
        // a model must never lack a symbol it codes) would be a bug, so check.
        let model = try! RANSModel(codes: plan.codes)
        RANSEncoder.encode(UnsafeBufferPointer(symbols), model: model, into: &out)
        if let grid = plan.grid {
            let gridModel = try! RANSModel(codes: plan.gridCodes)
            for i in 0..<n { symbols[i] = UInt16(grid[i]) }
            RANSEncoder.encode(UnsafeBufferPointer(symbols), model: gridModel, into: &out)
        }
        bits.withUnsafeBytes { out.append($0) }
    }

    struct DictionaryPlan {
        /// Sorted by value, then scale.
        var entries: [Entry]
        /// Every sample's index in `entries`.
        var symbols: [UInt16]
        var codes: [UInt8]
        var bytes: Int
    }

    struct Entry: Comparable {
        var value: Int64
        var scale: UInt8
        var count: Int
        var slot: UInt16

        static func < (a: Entry, b: Entry) -> Bool { a.value < b.value || (a.value == b.value && a.scale < b.scale) }
    }

    /// Distinct (value, scale) pairs with counts, or nil past `maxDictionary` (open
    /// addressing). Gives up early on noise: when more than 3 of every 4 of the first 256
    /// samples are new, a dictionary cannot beat bucket coding, so noisy series cost only a
    /// few hundred probes.
    static func distinct(_ v: UnsafeBufferPointer<Int64>, scales: UnsafeBufferPointer<UInt8>) -> (entries: [Entry], symbols: [UInt16])? {
        let capacity = maxDictionary * 2
        let keys = UnsafeMutablePointer<Int64>.allocate(capacity: capacity)
        let keyScales = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        counts.initialize(repeating: 0, count: capacity)
        defer { keys.deallocate(); keyScales.deallocate(); counts.deallocate() }
        var slots = [UInt16](repeating: 0, count: v.count)
        var used = 0
        for i in 0..<v.count {
            if i == 256 && used > 192 { return nil }
            let x = v[i], s = scales[i]
            var h = Int(truncatingIfNeeded: ((UInt64(bitPattern: x) ^ UInt64(s) << 56) &* 0x9E37_79B9_7F4A_7C15) >> 53)
            while true {
                if counts[h] == 0 {
                    used += 1
                    if used > maxDictionary { return nil }
                    keys[h] = x
                    keyScales[h] = s
                    counts[h] = 1
                    slots[i] = UInt16(h)
                    break
                }
                if keys[h] == x && keyScales[h] == s {
                    counts[h] += 1
                    slots[i] = UInt16(h)
                    break
                }
                h = (h + 1) & (capacity - 1)
            }
        }
        var out: [Entry] = []
        out.reserveCapacity(used)
        for h in 0..<capacity where counts[h] > 0 {
            out.append(Entry(value: keys[h], scale: keyScales[h], count: counts[h], slot: UInt16(h)))
        }
        out.sort()
        // Slot → sorted index, reusing `counts` as the map.
        for (i, e) in out.enumerated() { counts[Int(e.slot)] = i }
        for i in slots.indices { slots[i] = UInt16(counts[Int(slots[i])]) }
        return (out, slots)
    }

    /// The scale an entry's text has unless told otherwise: none for mantissas as received;
    /// for normalized ones, the chunk scale less the value's trailing decimal zeros (`%g`
    /// text drops them).
    @inline(__always)
    static func impliedScale(_ value: Int64, normalized: Bool, maxScale: UInt8) -> Int {
        normalized ? Int(maxScale) - trailingDecimalZeros(value, limit: Int(maxScale)) : 0
    }

    static func planDictionary(_ v: UnsafeBufferPointer<Int64>, scales: UnsafeBufferPointer<UInt8>, normalized: Bool, maxScale: UInt8) -> DictionaryPlan? {
        guard let (entries, symbols) = distinct(v, scales: scales) else { return nil }
        let counts = entries.map(\.count)
        let (codes, bits) = counts.withUnsafeBufferPointer { modelCost($0) }
        var bytes = (Int(bits) + 7) / 8 + RANSModel.codesSize(entries.count) + ChunkEncoder.varintSize(UInt64(entries.count)) + 4
        var exceptions = 0
        var last = 0
        for (i, e) in entries.enumerated() {
            bytes += i == 0 ? ChunkEncoder.varintSize(ZigZag.encode(e.value))
                            : ChunkEncoder.varintSize(UInt64(bitPattern: e.value &- entries[i - 1].value))
            let implied = impliedScale(e.value, normalized: normalized, maxScale: maxScale)
            if Int(e.scale) != implied {
                exceptions += 1
                bytes += ChunkEncoder.varintSize(UInt64(i - last)) + ChunkEncoder.varintSize(ZigZag.encode(Int64(e.scale) - Int64(implied)))
                last = i
            }
        }
        bytes += ChunkEncoder.varintSize(UInt64(exceptions))
        return DictionaryPlan(entries: entries, symbols: symbols, codes: codes, bytes: bytes)
    }

    /// `varint count | signed first value | count−1 × varint gap (≥ 0; equal values differ in
    /// scale) | varint exceptions | exceptions × (varint index gap, signed scale − implied) |
    /// model codes | rANS stream`.
    static func writeDictionary(_ v: UnsafeBufferPointer<Int64>, scales: UnsafeBufferPointer<UInt8>, plan: DictionaryPlan, into out: inout ByteSink) {
        let normalized = out.withUnsafeBytes { $0[1] } == 1
        let maxScale: UInt8 = normalized ? out.withUnsafeBytes { $0[2] } : 0
        let entries = plan.entries
        out.appendVarint(UInt64(entries.count))
        var exceptions: [(Int, Int64)] = []
        for (i, e) in entries.enumerated() {
            if i == 0 { out.appendSigned(e.value) } else { out.appendVarint(UInt64(bitPattern: e.value &- entries[i - 1].value)) }
            let implied = impliedScale(e.value, normalized: normalized, maxScale: maxScale)
            if Int(e.scale) != implied { exceptions.append((i, Int64(e.scale) - Int64(implied))) }
        }
        out.appendVarint(UInt64(exceptions.count))
        var last = 0
        for (i, d) in exceptions {
            out.appendVarint(UInt64(i - last))
            out.appendSigned(d)
            last = i
        }
        RANSModel.writeCodes(plan.codes, into: &out)
        let model = try! RANSModel(codes: plan.codes)
        plan.symbols.withUnsafeBufferPointer { RANSEncoder.encode($0, model: model, into: &out) }
    }

    // MARK: decoding

    /// Decodes a bucket-mode body (after mode and scale header) into `out`; a body with
    /// per-sample scales fills `scales` (the chunk then has no scale column).
    static func decodeBucket(_ src: inout ByteSource, maxScale: UInt8, scales: UnsafeMutableBufferPointer<UInt8>?,
                             into out: UnsafeMutableBufferPointer<Int64>) throws(ChunkDecodingError) {
        let n = out.count
        let predictorByte = try src.byte()
        guard let predictor = ChunkFormat.Predictor(rawValue: predictorByte) else { throw .unsupported("predictor \(predictorByte)") }
        let reference = predictor == .reference ? try src.signed() : 0
        let k = Int(try src.byte())
        guard k <= 62 else { throw .malformed("bucket shift \(k)") }
        let gridFlag = try src.byte()
        guard gridFlag <= 1 else { throw .malformed("grid flag \(gridFlag)") }
        guard (gridFlag == 1) == (scales != nil) else { throw .malformed("per-sample scales do not match the scale column") }
        let codes = try RANSModel.readCodes(&src)
        guard codes.count <= alphabetLimit else { throw .malformed("bucket alphabet of \(codes.count)") }
        let model = try RANSModel(codes: codes)
        let gridModel = gridFlag == 1 ? try RANSModel(codes: try RANSModel.readCodes(&src)) : nil
        if let gridModel {
            guard gridModel.frequencies.count <= min(19, Int(maxScale) + 1) else { throw .malformed("scale steps beyond the chunk scale") }
        }
        let escapeCount = try src.count(limit: n)
        var escapes = [Int64](repeating: 0, count: escapeCount)
        for i in 0..<escapeCount { escapes[i] = try src.signed() }
        var rans = try RANSDecoder(&src, model: model)
        defer { rans.release() }
        var steps: RANSDecoder?
        if let gridModel { steps = try RANSDecoder(&src, model: gridModel) }
        defer { steps?.release() }
        let lowBits = UnsafeRawBufferPointer(rebasing: src.buffer[src.position...])
        var bits = BitReader(lowBits)
        var nextEscape = 0
        let shift = UInt64(k)
        // Residuals first (one tight loop), then the predictor's recurrence.
        for i in 0..<n {
            let s = try rans.next()
            if s == escapeSymbol {
                guard nextEscape < escapeCount else { throw .malformed("more escapes than stored") }
                out[i] = escapes[nextEscape]
                nextEscape += 1
                continue
            }
            let b = s - 1
            var magnitude = UInt64(b >> 1) << shift
            if k > 0 { magnitude |= try bits.read(k) }
            let x = Int64(bitPattern: magnitude)
            out[i] = b & 1 == 1 ? 0 &- x : x
        }
        try rans.finish()
        guard nextEscape == escapeCount else { throw .malformed("\(escapeCount - nextEscape) escapes unused") }
        let lowBitBytes = ((n - escapeCount) * k + 7) / 8
        guard lowBits.count == lowBitBytes else { throw .malformed("\(lowBits.count) bytes of low bits, expected \(lowBitBytes)") }
        src.position = src.buffer.count
        if var steps, let scales {
            // Per-sample scales: the predictor runs on reconstructed values, so one loop.
            var a: Int64 = 0, b: Int64 = 0, c: Int64 = 0, d: Int64 = 0, sum: Int64 = 0, previous: Int64 = 0
            for i in 0..<n {
                let step = try steps.next()
                scales[i] = maxScale - UInt8(step)
                let prediction: Int64
                switch predictor {
                case .previous: prediction = previous
                case .reference: prediction = reference
                case .mean4: prediction = i == 0 ? 0 : sum >> 2
                }
                let q = powersOfTen[step]
                let x = q == 1 ? out[i] &+ prediction : (out[i] &+ onGrid(prediction, q)) &* q
                out[i] = x
                previous = x
                if i == 0 {
                    a = x; b = x; c = x; d = x
                    sum = x &* 4
                } else {
                    sum = sum &- a &+ x
                    a = b; b = c; c = d; d = x
                }
            }
            try steps.finish()
            return
        }
        switch predictor {
        case .previous:
            var prev: Int64 = 0
            for i in 0..<n {
                prev = prev &+ out[i]
                out[i] = prev
            }
        case .reference:
            for i in 0..<n { out[i] = out[i] &+ reference }
        case .mean4:
            guard n > 0 else { return }
            var a = out[0], b = out[0], c = out[0], d = out[0]
            var sum = out[0] &* 4
            for i in 1..<n {
                let x = out[i] &+ (sum >> 2)
                out[i] = x
                sum = sum &- a &+ x
                a = b; b = c; c = d; d = x
            }
        }
    }

    /// Decodes a dictionary-mode body (after mode and scale header) into `out`, and the
    /// entries' scales into `scales` when the chunk has no scale column.
    static func decodeDictionary(_ src: inout ByteSource, normalized: Bool, maxScale: UInt8,
                                 scales: UnsafeMutableBufferPointer<UInt8>?, into out: UnsafeMutableBufferPointer<Int64>) throws(ChunkDecodingError) {
        let count = try src.count(limit: maxDictionary)
        guard count > 0 else { throw .malformed("empty dictionary") }
        var dictionary = [Int64](repeating: 0, count: count)
        var prev: Int64 = 0
        for i in 0..<count {
            prev = i == 0 ? try src.signed() : prev &+ Int64(bitPattern: try src.varint())
            dictionary[i] = prev
        }
        var entryScales = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            entryScales[i] = UInt8(impliedScale(dictionary[i], normalized: normalized, maxScale: maxScale))
        }
        let exceptionCount = try src.count(limit: count)
        var index = 0
        for _ in 0..<exceptionCount {
            index += try src.count(limit: count - 1 - index)
            let scale = Int64(entryScales[index]) + (try src.signed())
            guard scale >= 0, scale <= Int64(normalized ? maxScale : 30) else { throw .malformed("dictionary scale \(scale)") }
            entryScales[index] = UInt8(scale)
        }
        let codes = try RANSModel.readCodes(&src)
        guard codes.count == count else { throw .malformed("dictionary of \(count) values with \(codes.count) codes") }
        let model = try RANSModel(codes: codes)
        var rans = try RANSDecoder(&src, model: model)
        defer { rans.release() }
        try dictionary.withUnsafeBufferPointer { d throws(ChunkDecodingError) in
            if let scales {
                try entryScales.withUnsafeBufferPointer { e throws(ChunkDecodingError) in
                    for i in 0..<out.count {
                        let s = try rans.next()
                        out[i] = d[s]
                        scales[i] = e[s]
                    }
                }
            } else {
                for i in 0..<out.count { out[i] = d[try rans.next()] }
            }
        }
        try rans.finish()
        guard src.isAtEnd else { throw .malformed("\(src.remaining) bytes after the dictionary stream") }
    }
}
