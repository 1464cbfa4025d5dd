/// One sample in the head's raw, unpacked form.
struct HeadSample: Equatable {
    var source: Int64
    var receive: Int64
    var mantissa: Int64
    var scale: UInt8
    /// Index into the series' `metas`.
    var meta: UInt16
}
