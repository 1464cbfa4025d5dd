import TinsenseCore

/// A Sparkplug B host's view of the edge nodes it hears, as a pure value: messages and their
/// receive times go in, readings, refusals and stale marks come out. It reads no clock and does
/// no I/O, so the daemon, fresh reads and offline replay get the same answers from the same
/// messages.
///
/// - Births: an NBIRTH starts a session of its edge node (its `bdSeq`, its aliases, its `seq`
///   position, whatever `seq` it starts at); a DBIRTH adds a device's aliases to the node's map
///   (aliases are unique per edge node). Metric values in a BIRTH are readings too.
/// - Data: NDATA/DDATA metrics are resolved by alias (or by name) to the BIRTH that declared
///   them; an unknown alias or an edge node with no live BIRTH refuses that metric.
/// - `seq`: every message of a node except NBIRTH's successor rules and NDEATH carries the next
///   `seq` (0–255, wrapping). A message ahead of the expected one is held up to
///   `reorderTimeoutMilliseconds` (or until `maxHeldMessagesPerNode` are held) for the missing
///   ones; then the held messages are applied in order and each missing number counts as a gap.
/// - Deaths: an NDEATH whose `bdSeq` matches the current NBIRTH marks the node's and its
///   devices' metrics stale; one that does not is a previous connection's will and is ignored.
///   A DDEATH marks its device's metrics stale.
package struct SparkplugSession: Sendable {
    package var limits: SparkplugLimits
    package private(set) var counters = SparkplugCounters()
    private(set) var nodes: [SparkplugTopic.EdgeNode: SparkplugEdgeNodeState] = [:]

    package init(limits: SparkplugLimits = SparkplugLimits()) {
        self.limits = limits
    }

    /// Edge nodes tracked (alive or dead since their last BIRTH).
    package var edgeNodeCount: Int { nodes.count }
    /// Messages currently held for reordering, over all nodes.
    package var heldMessageCount: Int { nodes.values.reduce(0) { $0 + $1.held.count } }
    /// True between a node's NBIRTH and its matching NDEATH.
    package func isAlive(_ edgeNode: SparkplugTopic.EdgeNode) -> Bool { nodes[edgeNode]?.isAlive ?? false }
    /// The current NBIRTH's bdSeq.
    package func bdSeq(of edgeNode: SparkplugTopic.EdgeNode) -> UInt64? { nodes[edgeNode]?.bdSeq }

    /// Topic text and payload bytes in; the events, or the reason the whole message is refused
    /// (a topic outside the Sparkplug namespace, bytes that are not a Sparkplug payload).
    package mutating func receive(topic: String, payload bytes: [UInt8], receivedAt: Timestamp) -> Result<[SparkplugEvent], DecodeFailure> {
        let parsed: SparkplugTopic
        do {
            parsed = try SparkplugTopic.parse(topic)
        } catch {
            return .failure(.init(.malformed, error.description))
        }
        switch parsed.type {
        case .ncmd, .dcmd, .state:
            // Commands and host state are not readings; they are not parsed at all (STATE is JSON).
            counters.ignoredMessages += 1
            return .success(releaseExpired(now: receivedAt))
        default:
            break
        }
        switch SparkplugPayloadDecoder.decode(bytes, limits: limits) {
        case .failure(let error): return .failure(error)
        case .success(let payload): return .success(receive(topic: parsed, payload: payload, receivedAt: receivedAt))
        }
    }

    /// A decoded message in; what it means out. Held messages whose timeout passed by
    /// `receivedAt` are released first.
    package mutating func receive(topic: SparkplugTopic, payload: SparkplugPayload, receivedAt: Timestamp) -> [SparkplugEvent] {
        var events = expire(now: receivedAt)
        switch topic.type {
        case .ncmd, .dcmd, .state:
            counters.ignoredMessages += 1
        case .nbirth:
            events += nodeBirth(topic, payload, receivedAt)
        case .ndeath:
            events += nodeDeath(topic, payload, receivedAt)
        case .ndata, .dbirth, .ddata, .ddeath:
            events += sequenced(topic, payload, receivedAt)
        }
        countRejections(events)
        return events
    }

    /// Releases, for every node, the held messages once the oldest has waited
    /// `reorderTimeoutMilliseconds`: the missing numbers are given up on (counted as gaps).
    /// The daemon calls this as time passes even when no message arrives.
    package mutating func releaseExpired(now: Timestamp) -> [SparkplugEvent] {
        let events = expire(now: now)
        countRejections(events)
        return events
    }

    private mutating func countRejections(_ events: [SparkplugEvent]) {
        for case .rejected in events { counters.rejectedItems += 1 }
    }

    // MARK: - Node birth and death

    private mutating func nodeBirth(_ topic: SparkplugTopic, _ payload: SparkplugPayload, _ receivedAt: Timestamp) -> [SparkplugEvent] {
        var events: [SparkplugEvent] = []
        if var existing = nodes[topic.edgeNode] {
            // Messages held from the previous session are that session's data: apply them now.
            events += releaseAll(&existing, topic.edgeNode)
            nodes[topic.edgeNode] = existing
        } else if nodes.count >= limits.maxEdgeNodes, !evictDeadNode() {
            return rejectAll(topic, payload, .init(.seriesLimit, "more than \(limits.maxEdgeNodes) Sparkplug edge nodes"))
        }
        var node = SparkplugEdgeNodeState()
        node.isAlive = true
        node.bdSeq = Self.bdSeq(in: payload)
        node.lastSeq = payload.hasSeq ? UInt8(truncatingIfNeeded: payload.seq) : nil
        counters.births += 1
        events += define(&node, topic, payload, receivedAt)
        nodes[topic.edgeNode] = node
        return events
    }

    private mutating func nodeDeath(_ topic: SparkplugTopic, _ payload: SparkplugPayload, _ receivedAt: Timestamp) -> [SparkplugEvent] {
        guard var node = nodes[topic.edgeNode], node.isAlive, Self.bdSeq(in: payload) == node.bdSeq else {
            // The will of an earlier connection (or of a node never born): the current birth stands.
            counters.staleDeathsIgnored += 1
            return []
        }
        var events = releaseAll(&node, topic.edgeNode)
        node.isAlive = false
        for device in node.devices.keys { node.devices[device] = false }
        counters.deaths += 1
        events.append(.stale(edgeNode: topic.edgeNode, device: nil, metrics: node.allMetricKeys(), at: receivedAt))
        nodes[topic.edgeNode] = node
        return events
    }

    /// Makes room for a new edge node by forgetting a dead one; false when every node is alive.
    private mutating func evictDeadNode() -> Bool {
        guard let dead = nodes.first(where: { !$0.value.isAlive })?.key else { return false }
        nodes[dead] = nil
        return true
    }

    static func bdSeq(in payload: SparkplugPayload) -> UInt64? {
        guard let metric = payload.metrics.first(where: { $0.name == SparkplugPropertyName.bdSeq }) else { return nil }
        switch metric.value {
        case .longValue(let v)?: return v
        case .intValue(let v)?: return UInt64(v)
        default: return nil
        }
    }

    // MARK: - Messages after the birth, in seq order

    /// DBIRTH, NDATA, DDATA and DDEATH: refused without a live birth, otherwise applied in
    /// `seq` order (held while ahead of a missing one).
    private mutating func sequenced(_ topic: SparkplugTopic, _ payload: SparkplugPayload, _ receivedAt: Timestamp) -> [SparkplugEvent] {
        guard var node = nodes[topic.edgeNode], node.isAlive else {
            return rejectAll(topic, payload, .init(.notBorn, "edge node \(topic.edgeNode) has no live NBIRTH"))
        }
        var events: [SparkplugEvent] = []
        guard payload.hasSeq, let last = node.lastSeq else {
            events += apply(&node, topic, payload, receivedAt)
            nodes[topic.edgeNode] = node
            return events
        }
        let seq = UInt8(truncatingIfNeeded: payload.seq)
        let ahead = seq &- (last &+ 1)
        if ahead == 0 {
            events += apply(&node, topic, payload, receivedAt)
            events += drainInOrder(&node)
        } else if ahead < 128, !node.held.contains(where: { $0.seq == seq }) {
            node.held.append(SparkplugHeldMessage(topic: topic, payload: payload, seq: seq, receivedAt: receivedAt))
            if node.held.count > limits.maxHeldMessagesPerNode {
                events += releaseAll(&node, topic.edgeNode)
            }
        } else {
            // Behind the expected number (a gap given up on, or sent twice): applied as it is;
            // storage refuses what it already holds.
            counters.lateMessages += 1
            events += apply(&node, topic, payload, receivedAt, advancingSeq: false)
        }
        nodes[topic.edgeNode] = node
        return events
    }

    private mutating func expire(now: Timestamp) -> [SparkplugEvent] {
        var events: [SparkplugEvent] = []
        for edgeNode in nodes.keys {
            guard var node = nodes[edgeNode], let oldest = node.held.map(\.receivedAt).min(),
                  now.millisecondsSinceEpoch - oldest.millisecondsSinceEpoch >= limits.reorderTimeoutMilliseconds
            else { continue }
            events += releaseAll(&node, edgeNode)
            nodes[edgeNode] = node
        }
        return events
    }

    /// Applies every held message in `seq` order, counting each skipped number as a gap.
    private mutating func releaseAll(_ node: inout SparkplugEdgeNodeState, _ edgeNode: SparkplugTopic.EdgeNode) -> [SparkplugEvent] {
        var events: [SparkplugEvent] = []
        while !node.held.isEmpty {
            let expected = (node.lastSeq ?? 0) &+ 1
            let next = node.held.indices.min { node.held[$0].seq &- expected < node.held[$1].seq &- expected }!
            let message = node.held.remove(at: next)
            counters.sequenceGaps += Int(message.seq &- expected)
            node.lastSeq = message.seq &- 1
            events += apply(&node, message.topic, message.payload, message.receivedAt)
            events += drainInOrder(&node)
        }
        return events
    }

    /// Applies held messages that follow on directly from the last applied `seq`.
    private mutating func drainInOrder(_ node: inout SparkplugEdgeNodeState) -> [SparkplugEvent] {
        var events: [SparkplugEvent] = []
        while let last = node.lastSeq, let index = node.held.firstIndex(where: { $0.seq == last &+ 1 }) {
            let message = node.held.remove(at: index)
            counters.reordered += 1
            events += apply(&node, message.topic, message.payload, message.receivedAt)
        }
        return events
    }

    // MARK: - Applying one message

    private mutating func apply(_ node: inout SparkplugEdgeNodeState, _ topic: SparkplugTopic, _ payload: SparkplugPayload,
                                _ receivedAt: Timestamp, advancingSeq: Bool = true) -> [SparkplugEvent] {
        if advancingSeq, payload.hasSeq { node.lastSeq = UInt8(truncatingIfNeeded: payload.seq) }
        // A node that died while this message was held (or a device): nothing is applied.
        guard node.isAlive else {
            return rejectAll(topic, payload, .init(.notBorn, "edge node \(topic.edgeNode) has no live NBIRTH"))
        }
        switch topic.type {
        case .dbirth:
            guard let device = topic.device else { return [] }
            if node.devices[device] == nil, node.devices.count >= limits.maxDevicesPerNode {
                return rejectAll(topic, payload, .init(.seriesLimit, "more than \(limits.maxDevicesPerNode) devices on edge node \(topic.edgeNode)"))
            }
            node.removeDefinitions(device: device)
            node.devices[device] = true
            counters.births += 1
            return define(&node, topic, payload, receivedAt)
        case .ddeath:
            guard let device = topic.device, node.devices[device] == true else {
                return rejectAll(topic, payload, .init(.notBorn, "device \(topic.device ?? "") of \(topic.edgeNode) has no live DBIRTH"))
            }
            node.devices[device] = false
            counters.deaths += 1
            return [.stale(edgeNode: topic.edgeNode, device: device, metrics: node.metricKeys(device: device), at: receivedAt)]
        case .ddata:
            guard let device = topic.device, node.devices[device] == true else {
                return rejectAll(topic, payload, .init(.notBorn, "device \(topic.device ?? "") of \(topic.edgeNode) has no live DBIRTH"))
            }
            return data(node, topic, payload)
        default:
            return data(node, topic, payload)
        }
    }
}
