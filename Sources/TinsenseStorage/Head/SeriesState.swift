/// Everything the store keeps in memory about one series: its unsealed head and the newest
/// source time already in sealed segments (for the tolerance and duplicate checks).
final class SeriesState {
    let sensor: String
    // Appended to by the store's one appending thread (see `SegmentStore.series`): no runtime
    // exclusivity check in release builds, kept in debug builds.
    #if DEBUG
    var head = SeriesHead()
    #else
    @exclusivity(unchecked) var head = SeriesHead()
    #endif
    var sealedMaxTime: Int64?

    init(sensor: String) {
        self.sensor = sensor
    }

    /// Newest source time stored anywhere (head or segments).
    var newest: Int64? {
        switch (head.newest, sealedMaxTime) {
        case let (h?, s?): max(h, s)
        case let (h?, nil): h
        case let (nil, s?): s
        case (nil, nil): nil
        }
    }
}
