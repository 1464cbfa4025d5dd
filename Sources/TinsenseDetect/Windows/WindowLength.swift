import TinsenseCore
/// How far back a rolling window reaches: a number of readings, or a span of time.
///
/// Plant signals arrive at every cadence from 1 Hz process tags to one XRF assay per ten
/// minutes, so an operator thinks of some windows in readings ("the last 300 values") and
/// others in time ("the last hour"). A time window still keeps at most `maxSamples` readings
/// so that memory per sensor stays bounded whatever the sensor's rate.
public enum WindowLength: Sendable, Hashable, CustomStringConvertible {
    /// The most recent `n` readings.
    case samples(Int)
    /// The readings of the last `milliseconds`, at most `maxSamples` of them.
    case duration(milliseconds: Int64, maxSamples: Int)

    /// The cap used for time windows when the configuration names none.
    public static let defaultMaxSamples = 4096

    /// Parses `300` (readings) or a duration `500ms`, `30s`, `5m`, `2h`, `1d`.
    /// Returns nil for anything else, for zero, and for counts above 1,000,000.
    public init?(parsing text: String, maxSamples: Int = WindowLength.defaultMaxSamples) {
        let t = text.trimmingSpaces
        if let n = Int(t) {
            guard n >= 1, n <= 1_000_000 else { return nil }
            self = .samples(n)
            return
        }
        guard let ms = DurationText.milliseconds(t), ms > 0 else { return nil }
        self = .duration(milliseconds: ms, maxSamples: maxSamples)
    }

    /// The most readings this window can hold: the storage to allocate.
    public var capacity: Int {
        switch self {
        case .samples(let n): n
        case .duration(_, let cap): cap
        }
    }

    public var description: String {
        switch self {
        case .samples(let n): "\(n)"
        case .duration(let ms, _): DurationText.format(ms)
        }
    }
}
