import Testing
import TinsenseCore
@testable import TinsenseSparkplug

@Suite("Sparkplug session: births, aliases and data")
struct SparkplugSessionTests {
    typealias P = TestPayloads

    @Test("DDATA by alias resolves to the metric the DBIRTH named, with its unit and the metric's timestamp")
    func aliasResolves() {
        var session = P.bornSession()
        let (topic, payload) = P.ddata(seq: 2, value: 4.25, timestamp: 1_795_750_001_000)
        let events = session.receive(topic: topic, payload: payload, receivedAt: P.t0)
        #expect(events.readings.count == 1)
        let reading = events.readings[0]
        #expect(reading.key == SparkplugMetricKey(edgeNode: P.node, device: "crusher01", name: "vibration"))
        #expect(reading.value == .number(DecimalValue("4.25")!))
        #expect(reading.unit == "mm/s")
        #expect(reading.sourceTime == Timestamp(millisecondsSinceEpoch: 1_795_750_001_000))
        #expect(reading.messageType == .ddata)
    }

    @Test("a metric without its own timestamp takes the payload's; none at all leaves it to the receive time")
    func timestampFallback() {
        var session = P.bornSession()
        var payload = P.payload(seq: 2, timestamp: 1_795_750_002_000, [P.metric(alias: 10, double: 1)])
        var events = session.receive(topic: P.topic(.ddata, device: "crusher01"), payload: payload, receivedAt: P.t0)
        #expect(events.readings.first?.sourceTime == Timestamp(millisecondsSinceEpoch: 1_795_750_002_000))
        payload = P.payload(seq: 3, [P.metric(alias: 10, double: 1)])
        events = session.receive(topic: P.topic(.ddata, device: "crusher01"), payload: payload, receivedAt: P.t0)
        #expect(events.readings.count == 1)
        #expect(events.readings.first?.sourceTime == nil)
    }

    @Test("DATA that names its metric instead of aliasing it is resolved by name")
    func byName() {
        var session = P.bornSession()
        let events = session.receive(topic: P.topic(.ddata, device: "crusher01"),
                                     payload: P.payload(seq: 2, [P.metric("bearing_temp", double: 61.5)]), receivedAt: P.t0)
        #expect(events.readings.map(\.key.name) == ["bearing_temp"])
        #expect(events.values == ["61.5"])
    }

    @Test("BIRTH values are readings with their own timestamps; the same metric from BIRTH and DATA has one key")
    func birthValuesAreReadings() {
        var session = SparkplugSession()
        _ = session.receive(topic: P.topic(.nbirth), payload: P.payload(seq: 0, [P.bdSeq(0)]), receivedAt: P.t0)
        let birth = session.receive(topic: P.topic(.dbirth, device: "cell01"), payload: P.payload(seq: 1, [
            P.metric("pulp_ph", alias: 5, double: 6.5, timestamp: 1_795_750_000_500),
        ]), receivedAt: P.t0)
        #expect(birth.readings.count == 1)
        #expect(birth.readings[0].sourceTime == Timestamp(millisecondsSinceEpoch: 1_795_750_000_500))
        #expect(birth.readings[0].messageType == .dbirth)
        let data = session.receive(topic: P.topic(.ddata, device: "cell01"),
                                   payload: P.payload(seq: 2, [P.metric(alias: 5, double: 6.6)]), receivedAt: P.t0)
        #expect(data.readings[0].key == birth.readings[0].key)
    }

    @Test("an unknown alias is refused as unknown_metric and counted; the other metrics of the message still count")
    func unknownAlias() {
        var session = P.bornSession()
        let payload = P.payload(seq: 2, [P.metric(alias: 99, double: 1), P.metric(alias: 10, double: 2)])
        let events = session.receive(topic: P.topic(.ddata, device: "crusher01"), payload: payload, receivedAt: P.t0)
        #expect(events.rejections.map(\.reason) == [.unknownMetric])
        #expect(events.rejections[0].detail.contains("alias 99"))
        #expect(events.values == ["2"])
        #expect(session.counters.rejectedItems == 1)
    }

    @Test("aliases are per edge node: another node's alias 10 is not crusher01's vibration, and a device cannot use another device's alias")
    func aliasesPerEdgeNode() {
        var session = P.bornSession()
        let other = SparkplugTopic.EdgeNode(group: "tinmine", node: "pilot2")
        _ = session.receive(topic: P.topic(.nbirth, node: other), payload: P.payload(seq: 0, [P.bdSeq(0)]), receivedAt: P.t0)
        _ = session.receive(topic: P.topic(.dbirth, device: "crusher01", node: other), payload: P.payload(seq: 1, [P.metric("power", alias: 10)]), receivedAt: P.t0)
        let events = session.receive(topic: P.topic(.ddata, device: "crusher01", node: other),
                                     payload: P.payload(seq: 2, [P.metric(alias: 10, double: 7)]), receivedAt: P.t0)
        #expect(events.readings.map(\.key.name) == ["power"])
        // alias 1 is pilot1's node metric `uptime`, not a metric of device crusher01.
        let misuse = session.receive(topic: P.topic(.ddata, device: "crusher01"), payload: P.payload(seq: 2, [P.metric(alias: 1, double: 7)]), receivedAt: P.t0)
        #expect(misuse.rejections.map(\.reason) == [.unknownMetric])
    }

    @Test("data from an edge node never born, or a device without DBIRTH, is refused as not_born")
    func notBorn() {
        var session = SparkplugSession()
        let events = session.receive(topic: P.topic(.ndata), payload: P.payload(seq: 5, [P.metric(alias: 1, double: 1), P.metric(alias: 2, double: 2)]), receivedAt: P.t0)
        #expect(events.rejections.map(\.reason) == [.notBorn, .notBorn])
        #expect(session.counters.rejectedItems == 2)
        var born = P.bornSession()
        let device = born.receive(topic: P.topic(.ddata, device: "cell09"), payload: P.payload(seq: 2, [P.metric(alias: 10, double: 1)]), receivedAt: P.t0)
        #expect(device.rejections.map(\.reason) == [.notBorn])
    }

    @Test("bdSeq, Node Control metrics and BIRTH declarations without a value are not readings")
    func protocolMetricsAreNotReadings() {
        var session = SparkplugSession()
        var rebirth = SparkplugMetric()
        rebirth.name = "Node Control/Rebirth"
        rebirth.booleanValue = false
        let events = session.receive(topic: P.topic(.nbirth), payload: P.payload(seq: 0, [P.bdSeq(1), rebirth, P.metric("declared", alias: 4)]), receivedAt: P.t0)
        #expect(events.isEmpty)
        #expect(session.bdSeq(of: P.node) == 1)
    }

    @Test("integers follow the datatype's sign (two's complement), booleans read as 0 and 1, strings are not_numeric")
    func valueTypes() {
        var session = SparkplugSession()
        var int8 = SparkplugMetric(); int8.name = "a"; int8.datatype = UInt32(SparkplugDataType.int8.rawValue); int8.intValue = 0xFF
        var int32 = SparkplugMetric(); int32.name = "b"; int32.datatype = UInt32(SparkplugDataType.int32.rawValue); int32.intValue = UInt32(bitPattern: -40)
        var int64 = SparkplugMetric(); int64.name = "c"; int64.datatype = UInt32(SparkplugDataType.int64.rawValue); int64.longValue = UInt64(bitPattern: -7)
        var uint32 = SparkplugMetric(); uint32.name = "d"; uint32.datatype = UInt32(SparkplugDataType.uint32.rawValue); uint32.intValue = 4_000_000_000
        var bool = SparkplugMetric(); bool.name = "e"; bool.datatype = UInt32(SparkplugDataType.boolean.rawValue); bool.booleanValue = true
        var float = SparkplugMetric(); float.name = "f"; float.datatype = UInt32(SparkplugDataType.float.rawValue); float.floatValue = 7.14
        var text = SparkplugMetric(); text.name = "g"; text.datatype = UInt32(SparkplugDataType.string.rawValue); text.stringValue = "running"
        var huge = SparkplugMetric(); huge.name = "h"; huge.datatype = UInt32(SparkplugDataType.uint64.rawValue); huge.longValue = UInt64.max
        var null = SparkplugMetric(); null.name = "i"; null.datatype = UInt32(SparkplugDataType.double.rawValue); null.isNull = true
        var nan = SparkplugMetric(); nan.name = "j"; nan.datatype = UInt32(SparkplugDataType.double.rawValue); nan.doubleValue = .nan
        _ = session.receive(topic: P.topic(.nbirth), payload: P.payload(seq: 0, [P.bdSeq(0)] + [int8, int32, int64, uint32, bool, float, text, huge, null, nan].map { m in
            var declared = m; declared.value = nil; declared.isNull = true; return declared
        }), receivedAt: P.t0)
        let events = session.receive(topic: P.topic(.ndata), payload: P.payload(seq: 1, [int8, int32, int64, uint32, bool, float, text, huge, null, nan]), receivedAt: P.t0)
        #expect(events.values == ["-1", "-40", "-7", "4000000000", "1", "7.14", "null", "nan"])
        #expect(events.rejections.map(\.reason) == [.notNumeric, .badValue])
    }

    @Test("the Sparkplug Quality property maps 192 to good, 0 to bad, 500 to stale, other codes to uncertain")
    func quality() {
        var session = P.bornSession()
        let payload = P.payload(seq: 2, [
            P.metric(alias: 10, double: 1, timestamp: 1), P.metric(alias: 10, double: 2, timestamp: 2, quality: 192),
            P.metric(alias: 10, double: 3, timestamp: 3, quality: 0), P.metric(alias: 10, double: 4, timestamp: 4, quality: 500),
            P.metric(alias: 10, double: 5, timestamp: 5, quality: 64),
        ])
        let events = session.receive(topic: P.topic(.ddata, device: "crusher01"), payload: payload, receivedAt: P.t0)
        #expect(events.readings.map(\.quality) == [nil, .good, .bad, .stale, .uncertain])
    }

    @Test("is_historical is carried on the reading with the metric's own timestamp")
    func historical() {
        var session = P.bornSession()
        let payload = P.payload(seq: 2, [P.metric(alias: 10, double: 3.5, timestamp: 1_795_740_000_000, historical: true)])
        let events = session.receive(topic: P.topic(.ddata, device: "crusher01"), payload: payload, receivedAt: P.t0)
        #expect(events.readings.map(\.isHistorical) == [true])
        #expect(events.readings.first?.sourceTime == Timestamp(millisecondsSinceEpoch: 1_795_740_000_000))
    }

    @Test("a rebirth (DBIRTH again) replaces the device's aliases")
    func rebirthReplacesAliases() {
        var session = P.bornSession()
        _ = session.receive(topic: P.topic(.dbirth, device: "crusher01"), payload: P.payload(seq: 2, [P.metric("vibration", alias: 20)]), receivedAt: P.t0)
        let old = session.receive(topic: P.topic(.ddata, device: "crusher01"), payload: P.payload(seq: 3, [P.metric(alias: 10, double: 1)]), receivedAt: P.t0)
        #expect(old.rejections.map(\.reason) == [.unknownMetric])
        let new = session.receive(topic: P.topic(.ddata, device: "crusher01"), payload: P.payload(seq: 4, [P.metric(alias: 20, double: 1)]), receivedAt: P.t0)
        #expect(new.readings.map(\.key.name) == ["vibration"])
    }

    @Test("NCMD, DCMD and STATE are not readings and are not parsed")
    func commandsIgnored() throws {
        var session = P.bornSession()
        let result = session.receive(topic: "spBv1.0/STATE/scada1", payload: Array(#"{"online":true}"#.utf8), receivedAt: P.t0)
        #expect(try result.get().isEmpty)
        _ = session.receive(topic: "spBv1.0/tinmine/NCMD/pilot1", payload: [0xFF], receivedAt: P.t0)
        #expect(session.counters.ignoredMessages == 2)
    }
}
