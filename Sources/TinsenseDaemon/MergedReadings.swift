import TinsenseCore
import TinsenseStorage

/// Sealed readings and the WAL tail's fresh ones as one stream, in the order export prints:
/// by sensor (byte order), then source time. Both inputs come in that order and never share
/// a (sensor, source time) (`FreshReadings` refuses what is sealed), so a two-way merge is
/// enough and memory stays that of the cursor plus the fresh readings.
package struct MergedReadings: Sequence, IteratorProtocol {
    private let sealed: ReadingCursor
    private let fresh: [Reading]
    private var freshIndex = 0
    private var pending: Reading?

    package init(sealed: ReadingCursor, fresh: [Reading]) {
        self.sealed = sealed
        self.fresh = fresh
        pending = sealed.next()
    }

    package mutating func next() -> (reading: Reading, source: ReadingSource)? {
        let f = freshIndex < fresh.count ? fresh[freshIndex] : nil
        switch (pending, f) {
        case (nil, nil):
            return nil
        case let (s?, f?) where !MergedReadings.precedes(f, s):
            pending = sealed.next()
            return (s, .sealed)
        case let (s?, nil):
            pending = sealed.next()
            return (s, .sealed)
        case let (_, f?):
            freshIndex += 1
            return (f, .wal)
        }
    }

    static func precedes(_ a: Reading, _ b: Reading) -> Bool {
        a.sensor == b.sensor ? a.sourceTime < b.sourceTime : a.sensor.utf8.lexicographicallyPrecedes(b.sensor.utf8)
    }
}
