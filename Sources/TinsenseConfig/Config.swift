import TinsenseCore
import TinsenseValidate

/// The daemon's whole configuration, as read from `tinsense.toml` (documented line by line in
/// `config/tinsense.toml`). Defaults here are the documented defaults.
public struct Config: Sendable {
    public struct Daemon: Sendable {
        public var dataDirectory = "/var/lib/tinsense"
        public var logLevel = "info"
        public var statsIntervalSeconds = 60
        public init() {}
    }

    public struct MQTT: Sendable {
        public var broker = "mqtt://127.0.0.1:1883"
        public var clientID = "tinsense"
        public var qos = 1
        public var cleanSession = false
        public var keepaliveSeconds = 30
        public var subscribe: [String] = []
        public var username: String?
        public var passwordFile: String?
        public var statusTopic: String?
        public var reconnectMinSeconds = 1
        public var reconnectMaxSeconds = 30
        public var queueCapacity = 8192
        public init() {}
    }

    public struct Storage: Sendable {
        public var fsyncIntervalMs = 200
        public var walFileMaxMB = 64
        public var sealIntervalSeconds = 600
        public var headMaxSamples = 1_000_000
        public var outOfOrderToleranceSeconds = 300
        public var retentionDays = 90
        public var retentionMaxGB = 0.0
        public init() {}
    }

    public struct Validation: Sendable {
        public var maxPayloadBytes = 65_536
        public var maxBatch = 1_000
        public var maxFutureSkewSeconds = 300
        public var maxPastAgeSeconds = 604_800
        public var quarantinePayloadBytes = 1_024
        public init() {}
    }

    public var daemon = Daemon()
    public var mqtt = MQTT()
    public var storage = Storage()
    public var validation = Validation()
    /// The `[[sensor]]` entries in file order (the first whose topic matches wins).
    public var sensors: [SensorEntry] = []
    public var detection = Detection()
    public var alerts = Alerts()

    public init() {}

    /// One `[[sensor]]` entry: how its readings are validated and how they are scored, kept
    /// together so the two can never fall out of step.
    public struct SensorEntry: Sendable {
        public var spec: SensorSpec
        public var detection: SensorDetection
        public init(spec: SensorSpec, detection: SensorDetection) {
            self.spec = spec
            self.detection = detection
        }
    }

    /// The validation side of every entry, in file order: what `SensorCatalog` takes. A
    /// catalog index is therefore also an index into `sensors`.
    public var sensorSpecs: [SensorSpec] { sensors.map(\.spec) }

    /// The validation policy these settings describe.
    public var validationPolicy: ValidationPolicy {
        ValidationPolicy(
            maxFutureSkewMs: Int64(validation.maxFutureSkewSeconds) * 1000,
            maxPastAgeMs: Int64(validation.maxPastAgeSeconds) * 1000,
            outOfOrderToleranceMs: Int64(storage.outOfOrderToleranceSeconds) * 1000
        )
    }

    /// The MQTT subscriptions: `mqtt.subscribe`, or, when empty, one filter per sensor pattern.
    public var subscriptions: [String] {
        if !mqtt.subscribe.isEmpty { return mqtt.subscribe }
        var seen = Set<String>()
        return sensors.map(\.spec.topic.subscriptionFilter).filter { seen.insert($0).inserted }
    }
}
