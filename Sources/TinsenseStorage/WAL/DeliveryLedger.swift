import TinsenseCore

/// Recognises a message the broker sends a second time, so that a reading without a source
/// timestamp (whose time is the receive time, new on every delivery) is stored once.
///
/// Two cases, both from the MQTT 3.1.1 session rules, decided in WAL order so that replay
/// reaches the same verdicts as the first run:
/// - **Redelivery** (§4.4): after a reconnect the broker resends every unacknowledged QoS 1
///   message with its original packet id, before anything new. A QoS ≥ 1 message among the
///   first `window` messages of a connection whose (packet id, topic, payload) equals one of the
///   last `window` messages received on an *earlier* connection is a redelivery. A steady
///   sensor repeating a value is not: its messages get new packet ids, and within one
///   connection nothing is ever resent.
/// - **Retained repeat** (§3.8.4): on every subscribe the broker sends each topic's retained
///   message again, with the retain flag set (live messages arrive with it clear). A retained
///   message whose payload equals the last message processed on its topic is a repeat.
///
/// The state survives restarts: `DeliveryLedgerFile` writes it next to the checkpoint before
/// WAL files are deleted, and replay rebuilds the rest from the WAL.
public struct DeliveryLedger: Sendable {
    /// What the ledger says about one message.
    public enum Verdict: Sendable, Equatable {
        case new
        /// Same packet id, topic and payload as a message of an earlier connection.
        case redelivery(packetID: UInt16)
        /// A retained message equal to what its topic last carried.
        case retainedRepeat
    }

    struct Recent: Sendable, Equatable {
        var packetID: UInt16
        var connection: UInt32
        var digest: UInt64
    }

    struct LastOnTopic: Sendable, Equatable {
        var payloadCRC: UInt32
        var payloadBytes: UInt32
    }

    /// A topic as a dictionary key, hashed as one block of bytes: `[UInt8]`'s own hashing
    /// feeds the hasher byte by byte, which made this lookup (once per message) the ledger's
    /// largest cost.
    struct TopicKey: Sendable, Hashable {
        var bytes: [UInt8]

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        func hash(into hasher: inout Hasher) {
            hasher.combine(bytes.count)
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    /// How many recent messages are compared, and how early in a connection a redelivery can
    /// come (a broker resends at most its in-flight limit: mosquitto's default is 20).
    public let window: Int
    /// Most topics remembered for retained repeats; beyond it the oldest-seen topic is
    /// forgotten (its retained value may then be stored once more). Sized like `max_series`.
    public let maxTopics: Int

    var recent: [Recent] = []
    var recentNext = 0
    var connection: UInt32?
    var sinceConnectionStart = 0
    var lastOnTopic: [TopicKey: LastOnTopic] = [:]
    var topicOrder: [[UInt8]] = []
    var topicOrderHead = 0

    public init(window: Int = 1_024, maxTopics: Int = 100_000) {
        self.window = max(window, 1)
        self.maxTopics = max(maxTopics, 1)
    }

    /// Topics remembered for retained repeats.
    public var topicCount: Int { lastOnTopic.count }

    /// Classifies `record` and remembers it. Oversized records (a prefix only) are remembered
    /// by their prefix and full size.
    public mutating func admit(_ record: WALRecord) -> Verdict {
        if connection != record.connection {
            connection = record.connection
            sinceConnectionStart = 0
        }
        sinceConnectionStart += 1
        // Through the raw bytes: the generic `Collection` overload is not specialised across
        // modules and cost as much again as the checksums.
        let payloadCRC = record.payload.withUnsafeBytes { CRC32C.checksum($0) }
        let payloadBytes = UInt32(clamping: record.payloadBytes)
        let topicCRC = record.topic.withUnsafeBytes { CRC32C.checksum($0) }
        let digest = UInt64(topicCRC) << 32 | UInt64(payloadCRC ^ payloadBytes &* 0x9E37_79B9)
        var verdict = Verdict.new
        if record.retained, let last = lastOnTopic[TopicKey(record.topic)], last == LastOnTopic(payloadCRC: payloadCRC, payloadBytes: payloadBytes) {
            verdict = .retainedRepeat
        } else if record.qos > 0, sinceConnectionStart <= window,
                  recent.contains(where: { $0.packetID == record.packetID && $0.digest == digest && $0.connection != record.connection }) {
            verdict = .redelivery(packetID: record.packetID)
        }
        if record.qos > 0 { remember(Recent(packetID: record.packetID, connection: record.connection, digest: digest)) }
        remember(topic: record.topic, LastOnTopic(payloadCRC: payloadCRC, payloadBytes: payloadBytes))
        return verdict
    }

    private mutating func remember(_ r: Recent) {
        if recent.count < window {
            recent.append(r)
        } else {
            recent[recentNext] = r
        }
        recentNext = (recentNext + 1) % window
    }

    private mutating func remember(topic: [UInt8], _ last: LastOnTopic) {
        if lastOnTopic.updateValue(last, forKey: TopicKey(topic)) != nil { return }
        topicOrder.append(topic)
        while lastOnTopic.count > maxTopics {
            lastOnTopic[TopicKey(topicOrder[topicOrderHead])] = nil
            topicOrderHead += 1
        }
        if topicOrderHead > 4_096, topicOrderHead * 2 > topicOrder.count {
            topicOrder.removeFirst(topicOrderHead)
            topicOrderHead = 0
        }
    }

    /// The recent messages oldest first (for persisting).
    var recentInOrder: [Recent] {
        recent.count < window ? recent : Array(recent[recentNext...] + recent[..<recentNext])
    }

    /// Topics oldest-seen first (for persisting).
    var topicsInOrder: [[UInt8]] { Array(topicOrder[topicOrderHead...]) }

    /// Rebuilds a ledger from persisted parts, in the order `recentInOrder`/`topicsInOrder` gave.
    init(window: Int, maxTopics: Int, recent: [Recent], connection: UInt32?, sinceConnectionStart: Int, topics: [([UInt8], LastOnTopic)]) {
        self.init(window: window, maxTopics: maxTopics)
        for r in recent.suffix(self.window) { remember(r) }
        self.connection = connection
        self.sinceConnectionStart = sinceConnectionStart
        for (t, last) in topics { remember(topic: t, last) }
    }

    /// Feeds the ledger the WAL records from `from` (nil = the oldest) up to `through`, without
    /// judging them: what a ledger persisted at an older checkpoint missed.
    public mutating func catchUp(wal: WriteAheadLog, from: WALPosition?, through: WALPosition) throws {
        var reader = try wal.records(from: from)
        while let e = reader.next(), e.end <= through { _ = admit(e.record) }
    }
}
