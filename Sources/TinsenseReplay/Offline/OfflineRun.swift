#if canImport(Glibc)
import Glibc
#endif
import TinsenseAlerts
import TinsenseConfig
import TinsenseCore
import TinsenseStorage
import TinsenseSystem

/// Where `tinsense replay --detect` reads from.
package enum OfflineSource: Sendable {
    /// Raw messages: decode, validate and detect, as the daemon did.
    case recording(Recording, from: Timestamp?, to: Timestamp?)
    /// Stored readings of a data directory's sealed segments: detect only (they were
    /// validated when stored). Series are scored one after another, each in source-time
    /// order, so inhibit rules and stale alerts (which need the plant's interleaved stream)
    /// are not evaluated; use a recording for those.
    case data(DataDirectory, from: Timestamp?, to: Timestamp?)
}

/// What an offline run produced.
package struct OfflineResult: Sendable {
    package var counts: OfflineCounts
    package var transitions: [AlertTransition]
    package var damage: [DamageReport]
    package var seconds: Double
    /// The recorded time the run covered (receive and source times of a recording, source
    /// times of stored data): an old alert log is compared only inside it.
    package var span: ClosedRange<Timestamp>?
}

/// `tinsense replay --detect`: runs the configured detection over a recording or stored data
/// at full speed and returns the alert transitions it would have raised, in time order.
package enum OfflineRun {
    package static func run(_ source: OfflineSource, config: Config) throws -> OfflineResult {
        let started = ContinuousClock.now
        var transitions: [AlertTransition] = []
        var counts: OfflineCounts
        var damage: [DamageReport]
        var span: ClosedRange<Timestamp>?
        func cover(_ t: Timestamp) {
            span = span.map { min($0.lowerBound, t)...max($0.upperBound, t) } ?? t...t
        }
        switch source {
        case .recording(let recording, let from, let to):
            var reader = try recording.records(from: from, to: to)
            var detection = RecordingDetection(config: config) { transitions.append($0) }
            // One record, refilled: no allocation per message.
            var r = WALRecord.empty
            while reader.next(into: &r) {
                cover(r.receiveTime)
                detection.process(r)
            }
            counts = detection.totals
            damage = reader.damage
            if let s = detection.sourceSpan {
                cover(s.lowerBound)
                cover(s.upperBound)
            }
        case .data(let directory, let from, let to):
            let cursor = try directory.readings(from: from, to: to)
            var lookup = SensorEntryLookup(config: config)
            var scorer = AlertScorer(config: config, inhibit: false) { transitions.append($0) }
            counts = OfflineCounts()
            while let reading = cursor.next() {
                cover(reading.sourceTime)
                counts.readings += 1
                guard let entry = lookup.entry(of: reading.sensor) else {
                    counts.refused += 1
                    continue
                }
                scorer.observe(reading, specIndex: entry.specIndex, slot: entry.slot, topic: nil)
            }
            counts.scored = scorer.scored
            damage = cursor.damage
            // Series came one after another: put the transitions back in time order.
            transitions = transitions.enumerated().sorted { a, b in
                (a.element.time, a.offset) < (b.element.time, b.offset)
            }.map(\.element)
        }
        counts.alerts = transitions.count
        let elapsed = (ContinuousClock.now - started).components
        return OfflineResult(counts: counts, transitions: transitions, damage: damage,
                             seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18, span: span)
    }

    /// Writes `transitions` as alerts.jsonl lines to `path` (replacing it), fsynced.
    package static func writeAlerts(_ transitions: [AlertTransition], to path: String) throws {
        var bytes: [UInt8] = []
        for t in transitions { bytes += t.jsonLineBytes }
        let fd = try PosixIO.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o640)
        defer { PosixIO.close(fd) }
        try PosixIO.writeAll(fd, bytes, at: 0)
        try PosixIO.fsync(fd)
    }
}
