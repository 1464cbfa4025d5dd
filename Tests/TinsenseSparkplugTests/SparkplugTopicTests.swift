import Testing
@testable import TinsenseSparkplug

@Suite("Sparkplug topics")
struct SparkplugTopicTests {
    @Test("node and device topics give group, node, device and message type")
    func parsesNodeAndDeviceTopics() throws {
        let node = try SparkplugTopic.parse("spBv1.0/plant1/NDATA/line2")
        #expect(node.type == .ndata)
        #expect(node.edgeNode == .init(group: "plant1", node: "line2"))
        #expect(node.device == nil)
        let device = try SparkplugTopic.parse("spBv1.0/plant1/DBIRTH/line2/cell03")
        #expect(device.type == .dbirth)
        #expect(device.device == "cell03")
        #expect(device.description == "spBv1.0/plant1/DBIRTH/line2/cell03")
        let state = try SparkplugTopic.parse("spBv1.0/STATE/scada1")
        #expect(state.type == .state)
        #expect(state.edgeNode.node == "scada1")
    }

    @Test("every message type parses", arguments: SparkplugTopic.MessageType.allCases.filter { $0 != .state })
    func everyType(type: SparkplugTopic.MessageType) throws {
        let topic = type.isDeviceMessage ? "spBv1.0/g/\(type.rawValue)/n/d" : "spBv1.0/g/\(type.rawValue)/n"
        #expect(try SparkplugTopic.parse(topic).type == type)
    }

    @Test("bad topics are refused with the reason named")
    func badTopicsNamed() {
        func error(_ t: String) -> SparkplugTopic.ParseError? {
            do { _ = try SparkplugTopic.parse(t); return nil } catch { return error }
        }
        #expect(error("spAv1.0/g/NDATA/n") == .notSparkplug("spAv1.0"))
        #expect(error("spBv1.0/g/NDUMP/n") == .unknownMessageType("NDUMP"))
        #expect(error("spBv1.0/g/NDATA/n/d") == .wrongLevelCount(type: "NDATA", levels: 5))
        #expect(error("spBv1.0/g/DDATA/n") == .wrongLevelCount(type: "DDATA", levels: 4))
        #expect(error("spBv1.0/g/NDATA/") == .emptyLevel(index: 3))
        #expect(error("spBv1.0/g/NDATA/n+") == .wildcardInLevel(index: 3))
        #expect(error("spBv1.0/STATE/a/b") == .wrongLevelCount(type: "STATE", levels: 4))
        #expect(error("spBv1.0") == .wrongLevelCount(type: "", levels: 1))
        #expect(error("") == .notSparkplug(""))
    }
}
