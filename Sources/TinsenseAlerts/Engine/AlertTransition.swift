import TinsenseCore

/// One change of an alert's state, the unit the alert log writes (one JSON line each) and
/// the daemon may republish over MQTT.
package struct AlertTransition: Sendable, Hashable {
    package enum Kind: String, Sendable, Hashable, CaseIterable {
        /// An alert started (after its pending time), or a muted one became visible.
        case firing
        /// An alert ended (its condition stayed clear for `keep_firing_for`).
        case resolved
        /// An inhibit rule started muting alerts of its targets.
        case muted
        /// An inhibit rule stopped muting.
        case unmuted
    }

    package var kind: Kind
    /// When the transition happened (the time of the reading or event that caused it).
    package var time: Timestamp
    /// The sensor the alert is about (for `muted`/`unmuted`: the inhibit rule's source).
    package var sensor: String
    /// The MQTT topic of the sensor; the engine does not know topics, the daemon fills it.
    package var topic: String?
    /// The alert rule (for `muted`/`unmuted`: the inhibit rule's name).
    package var rule: String
    /// The detector that fired (`stale` for stale alerts; nil for mute transitions).
    package var detector: String?
    package var severity: AlertSeverity
    /// The reading's value at the transition, when there was one.
    package var value: Double?
    /// The score at the transition (for `resolved`: the last score seen).
    package var score: Double?
    /// The rule's threshold (for `resolved`: its resolve threshold).
    package var threshold: Double?
    /// Stable id shared by the `firing` and `resolved` lines of one alert.
    package var alertID: String
    /// When the alert (or the mute) began.
    package var startsAt: Timestamp
    /// Human-readable explanation (the detector's reason, or what was muted).
    package var message: String

    package init(kind: Kind, time: Timestamp, sensor: String, topic: String? = nil, rule: String,
                detector: String?, severity: AlertSeverity, value: Double?, score: Double?,
                threshold: Double?, alertID: String, startsAt: Timestamp, message: String) {
        self.kind = kind
        self.time = time
        self.sensor = sensor
        self.topic = topic
        self.rule = rule
        self.detector = detector
        self.severity = severity
        self.value = value
        self.score = score
        self.threshold = threshold
        self.alertID = alertID
        self.startsAt = startsAt
        self.message = message
    }

    /// Deterministic id of the alert on (sensor, rule) that started at `start`: replaying the
    /// same readings gives the same ids, so alert diffs between detector settings line up.
    package static func makeID(sensor: String, rule: String, start: Timestamp) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        }
        mix(sensor.utf8); mix([0]); mix(rule.utf8); mix([0])
        withUnsafeBytes(of: start.millisecondsSinceEpoch.littleEndian) { mix($0) }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
