import TinsenseCore
import TinsenseValidate

/// The daemon's whole configuration, as read from `tinsense.toml` (documented line by line in
/// `config/tinsense.toml`). Defaults here are the documented defaults.
package struct Config: Sendable {
    package struct Daemon: Sendable {
        package var dataDirectory = "/var/lib/tinsense"
        package var logLevel = "info"
        package var statsIntervalSeconds = 60
        /// The stop path's own deadline (`daemon.stop_timeout_s`), below the unit's
        /// `TimeoutStopSec` so the daemon, not SIGKILL, ends a stuck stop.
        package var stopTimeoutSeconds = 20
        package init() {}
    }

    package struct MQTT: Sendable {
        package var broker = "mqtt://127.0.0.1:1883"
        package var clientID = "tinsense"
        package var qos = 1
        package var cleanSession = false
        package var keepaliveSeconds = 30
        package var subscribe: [String] = []
        package var username: String?
        package var passwordFile: String?
        /// Name of a systemd credential holding the password (`LoadCredential=NAME:…`), read
        /// from `$CREDENTIALS_DIRECTORY/NAME` at start.
        package var passwordCredential: String?
        /// TLS files for an `mqtts://` broker (PEM); no CA file: the system trust store.
        package var tlsCAFile: String?
        package var tlsCertFile: String?
        package var tlsKeyFile: String?
        /// Refusals in a row (TLS failures, CONNACK refusals) before the daemon exits 1; 0 = never.
        package var refusalsBeforeExit = 10
        package var statusTopic: String?
        package var reconnectMinSeconds = 1
        package var reconnectMaxSeconds = 30
        package var queueCapacity = 8192
        /// MB the hand-off queue may hold (payloads and topics) before the network thread waits.
        package var queueMaxMB = 64
        /// `mqtt.protocol`: MQTT 3.1.1 (`"3.1.1"`, the default) or 5 (`5`).
        package var protocolVersion = ProtocolVersion.v311
        /// `mqtt.session_expiry_s` (MQTT 5 only): how long the broker keeps the session after a
        /// connection ends, when `clean_session = false`.
        package var sessionExpirySeconds = Config.MQTT.defaultSessionExpirySeconds
        /// `mqtt.share_group`: every filter is subscribed as `$share/GROUP/FILTER`, so the
        /// daemons of one group split the stream (docs/SCALING.md).
        package var shareGroup: String?
        package init() {}

        package enum ProtocolVersion: Sendable, Equatable {
            case v311
            case v5
        }

        /// A week: a daemon down over a long weekend resumes its backlog; one decommissioned
        /// without a clean stop stops costing the broker memory after that.
        package static let defaultSessionExpirySeconds = 604_800
    }

    package struct Storage: Sendable {
        package var fsyncIntervalMs = 200
        package var walFileMaxMB = 64
        package var sealIntervalSeconds = 600
        package var headMaxSamples = 1_000_000
        package var outOfOrderToleranceSeconds = 300
        package var retentionDays = 90
        package var retentionMaxGB = 0.0
        package var quarantineMaxMB = 64
        package var quarantineKeep = 10
        package init() {}
    }

    package struct Validation: Sendable {
        package var maxPayloadBytes = 65_536
        package var maxBatch = 1_000
        package var maxFutureSkewSeconds = 300
        package var maxPastAgeSeconds = 604_800
        package var quarantinePayloadBytes = 1_024
        package var maxSeries = 50_000
        package var maxUnitsPerSeries = 16
        package init() {}
    }

    package var daemon = Daemon()
    package var mqtt = MQTT()
    package var storage = Storage()
    package var validation = Validation()
    /// The `[[sensor]]` entries in file order (the first whose topic matches wins).
    package var sensors: [SensorEntry] = []
    package var detection = Detection()
    package var alerts = Alerts()
    package var metrics = Metrics()
    package var record = Record()
    package var forward = Forward()

    package init() {}

    /// One `[[sensor]]` entry: how its readings are validated and how they are scored, kept
    /// together so the two can never fall out of step.
    package struct SensorEntry: Sendable, Equatable {
        package var spec: SensorSpec
        package var detection: SensorDetection
        package init(spec: SensorSpec, detection: SensorDetection) {
            self.spec = spec
            self.detection = detection
        }
    }

    /// The validation side of every entry, in file order: what `SensorCatalog` takes. A
    /// catalog index is therefore also an index into `sensors`.
    package var sensorSpecs: [SensorSpec] { sensors.map(\.spec) }

    /// The validation policy these settings describe.
    package var validationPolicy: ValidationPolicy {
        ValidationPolicy(
            maxFutureSkewMs: Int64(validation.maxFutureSkewSeconds) * 1000,
            maxPastAgeMs: Int64(validation.maxPastAgeSeconds) * 1000,
            outOfOrderToleranceMs: Int64(storage.outOfOrderToleranceSeconds) * 1000,
            maxSeries: validation.maxSeries,
            maxUnitsPerSeries: validation.maxUnitsPerSeries
        )
    }

    /// The MQTT subscriptions: `mqtt.subscribe`, or, when empty, one filter per sensor pattern.
    package var subscriptions: [String] {
        let filters: [String]
        if !mqtt.subscribe.isEmpty {
            filters = mqtt.subscribe
        } else {
            var seen = Set<String>()
            filters = sensors.map(\.spec.topic.subscriptionFilter).filter { seen.insert($0).inserted }
        }
        guard let group = mqtt.shareGroup else { return filters }
        return filters.map { "$share/\(group)/\($0)" }
    }
}
