/// One validated (or about-to-be-validated) measurement of one sensor.
///
/// `sourceTime` is the device's own timestamp when the payload carried one; otherwise it
/// equals `receiveTime` and `flags` contains `.sourceTimeMissing`, so nobody later mistakes
/// arrival time for measurement time.
public struct Reading: Hashable, Sendable {
    public var sensor: String
    public var sourceTime: Timestamp
    public var receiveTime: Timestamp
    public var value: DecimalValue
    public var unit: String?
    public var quality: Quality
    public var flags: ReadingFlags

    public init(
        sensor: String,
        sourceTime: Timestamp,
        receiveTime: Timestamp,
        value: DecimalValue,
        unit: String? = nil,
        quality: Quality = .good,
        flags: ReadingFlags = []
    ) {
        self.sensor = sensor
        self.sourceTime = sourceTime
        self.receiveTime = receiveTime
        self.value = value
        self.unit = unit
        self.quality = quality
        self.flags = flags
    }
}

/// Facts about how a reading was obtained, kept with it in storage.
public struct ReadingFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The payload had no timestamp; `sourceTime` is the receive time.
    public static let sourceTimeMissing = ReadingFlags(rawValue: 1 << 0)
    /// Validation downgraded the quality (the reason is in the log and metrics).
    public static let qualityDowngraded = ReadingFlags(rawValue: 1 << 1)
    /// Came from `tinsense import`, not from MQTT.
    public static let imported = ReadingFlags(rawValue: 1 << 2)
}
