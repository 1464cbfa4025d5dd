/// A Sparkplug B topic: `spBv1.0/GROUP/TYPE/NODE[/DEVICE]`, or the host's `spBv1.0/STATE/HOST`.
///
/// Group, edge node and device ids are what identify a sensor; the message type only says
/// what the payload means, so it never becomes part of a sensor id.
package struct SparkplugTopic: Sendable, Hashable, CustomStringConvertible {
    /// The namespace every Sparkplug B topic starts with.
    package static let namespace = "spBv1.0"

    package enum MessageType: String, Sendable, Hashable, CaseIterable {
        case nbirth = "NBIRTH", ndeath = "NDEATH", ndata = "NDATA", ncmd = "NCMD"
        case dbirth = "DBIRTH", ddeath = "DDEATH", ddata = "DDATA", dcmd = "DCMD"
        case state = "STATE"

        /// Device messages name a device after the edge node; node messages do not.
        package var isDeviceMessage: Bool {
            switch self {
            case .dbirth, .ddeath, .ddata, .dcmd: true
            default: false
            }
        }
    }

    /// The edge node a message belongs to: aliases, `seq` and `bdSeq` are kept per edge node.
    package struct EdgeNode: Sendable, Hashable, CustomStringConvertible {
        package var group: String
        package var node: String
        package init(group: String, node: String) {
            self.group = group
            self.node = node
        }
        package var description: String { "\(group)/\(node)" }
    }

    package var type: MessageType
    /// For `STATE`, the group is empty and `node` holds the host application id.
    package var edgeNode: EdgeNode
    package var device: String?

    package init(type: MessageType, edgeNode: EdgeNode, device: String? = nil) {
        self.type = type
        self.edgeNode = edgeNode
        self.device = device
    }

    package var description: String {
        if type == .state { return "\(Self.namespace)/STATE/\(edgeNode.node)" }
        var s = "\(Self.namespace)/\(edgeNode.group)/\(type.rawValue)/\(edgeNode.node)"
        if let device { s += "/\(device)" }
        return s
    }

    /// Why a topic is not a Sparkplug B topic, named for the quarantine detail.
    package enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case notSparkplug(String)
        case unknownMessageType(String)
        case wrongLevelCount(type: String, levels: Int)
        case emptyLevel(index: Int)
        case wildcardInLevel(index: Int)

        package var description: String {
            switch self {
            case .notSparkplug(let first): "topic does not start with \(SparkplugTopic.namespace)/ (starts with \"\(first)\")"
            case .unknownMessageType(let t): "unknown Sparkplug message type \"\(t)\" (expected NBIRTH, NDATA, NDEATH, DBIRTH, DDATA, DDEATH, NCMD, DCMD or STATE)"
            case .wrongLevelCount(let type, let levels): "a Sparkplug \(type) topic has the wrong number of levels (\(levels))"
            case .emptyLevel(let index): "topic level \(index + 1) is empty"
            case .wildcardInLevel(let index): "topic level \(index + 1) contains + or #"
            }
        }
    }

    /// Parses a topic; the error names what is wrong with it.
    package static func parse(_ topic: String) throws(ParseError) -> SparkplugTopic {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard let first = levels.first, first == namespace else {
            throw .notSparkplug(String(levels.first?.prefix(32) ?? ""))
        }
        for (i, level) in levels.enumerated() {
            if level.isEmpty { throw .emptyLevel(index: i) }
            if level.contains("+") || level.contains("#") { throw .wildcardInLevel(index: i) }
        }
        guard levels.count >= 3 else { throw .wrongLevelCount(type: "", levels: levels.count) }
        if levels[1] == "STATE" {
            guard levels.count == 3 else { throw .wrongLevelCount(type: "STATE", levels: levels.count) }
            return SparkplugTopic(type: .state, edgeNode: EdgeNode(group: "", node: String(levels[2])))
        }
        guard levels.count >= 4 else { throw .wrongLevelCount(type: String(levels[2].prefix(16)), levels: levels.count) }
        guard let type = MessageType(rawValue: String(levels[2])), type != .state else {
            throw .unknownMessageType(String(levels[2].prefix(16)))
        }
        let expected = type.isDeviceMessage ? 5 : 4
        guard levels.count == expected else { throw .wrongLevelCount(type: type.rawValue, levels: levels.count) }
        return SparkplugTopic(
            type: type,
            edgeNode: EdgeNode(group: String(levels[1]), node: String(levels[3])),
            device: type.isDeviceMessage ? String(levels[4]) : nil
        )
    }
}
