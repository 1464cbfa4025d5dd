import Foundation
import Testing
import TinsenseCore
import TinsenseSimulator
import TinsenseTestSupport
@testable import TinsenseSparkplug

/// The Swift decoder against an independent implementation: Python's protobuf runtime with
/// message classes built from the same sparkplug_b.proto (scripts/sparkplug_crosscheck.py).
/// Needs protoc (Debian protobuf-compiler) and python3 with protobuf (python3-protobuf or PyPI).
@Suite("Sparkplug cross-check with Python's protobuf")
struct SparkplugCrossCheckTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var script: String { root.appendingPathComponent("scripts/sparkplug_crosscheck.py").path }

    /// protoc's descriptor set of the committed .proto, which the Python side loads.
    static func descriptorSet(in dir: TemporaryDirectory) throws -> String {
        let path = dir.file("sparkplug_b.desc")
        let protoDir = root.appendingPathComponent("Sources/TinsenseSparkplug/Protobuf").path
        try runTool("/usr/bin/env", ["protoc", "--proto_path=\(protoDir)", "--include_imports",
                                     "--descriptor_set_out=\(path)", "\(protoDir)/sparkplug_b.proto"])
        return path
    }

    /// Runs the script with `input` on stdin; its stdout lines.
    static func python(_ mode: String, _ descriptor: String, input: String, dir: TemporaryDirectory) throws -> [String] {
        let inputPath = dir.file("\(mode).in"), outputPath = dir.file("\(mode).out")
        try input.write(toFile: inputPath, atomically: true, encoding: .utf8)
        try runTool("/bin/sh", ["-c", "python3 '\(script)' \(mode) '\(descriptor)' < '\(inputPath)' > '\(outputPath)'"])
        return try String(contentsOfFile: outputPath, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func bytes(hex: some StringProtocol) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex, let j = hex.index(i, offsetBy: 2, limitedBy: hex.endIndex) {
            out.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    @Test("payloads encoded by Python decode in Swift to the values Python put in them")
    func pythonEncodesSwiftDecodes() throws {
        let dir = TemporaryDirectory("sparkplug-xcheck")
        let lines = try Self.python("encode", Self.descriptorSet(in: dir), input: "", dir: dir)
        #expect(lines.count == 8)
        var session = SparkplugSession()
        var events: [SparkplugEvent] = []
        for (i, line) in lines.enumerated() {
            let parts = line.split(separator: " ")
            let result = session.receive(topic: String(parts[0]), payload: Self.bytes(hex: parts[1]),
                                         receivedAt: TestPayloads.t0.adding(milliseconds: Int64(i)))
            events += try result.get()
        }
        let t0: Int64 = 1_795_750_000_000
        func expected(_ name: String, _ value: String, _ ms: Int64, device: String? = "cell01", quality: Quality? = nil,
                      unit: String? = nil, historical: Bool = false, type: SparkplugTopic.MessageType) -> SparkplugReading {
            SparkplugReading(key: .init(edgeNode: .init(group: "tinmine", node: "pilot1"), device: device, name: name),
                             value: .number(DecimalValue(value)!), sourceTime: Timestamp(millisecondsSinceEpoch: ms),
                             unit: unit, quality: quality, isHistorical: historical, messageType: type)
        }
        #expect(events.readings == [
            expected("uptime", "12345", t0, device: nil, type: .nbirth),
            expected("pulp_ph", "6.5", t0 + 1, quality: .good, unit: "[pH]", type: .dbirth),
            expected("froth_level", "7.14", t0 + 1, type: .dbirth),
            expected("air_temp", "-40", t0 + 1, type: .dbirth),
            expected("pump_state", "-1", t0 + 1, type: .dbirth),
            expected("running", "1", t0 + 1, type: .dbirth),
            expected("totalizer", "1099511627776", t0 + 1, type: .dbirth),
            // 253 arrived before 252: held, then applied in order.
            expected("pulp_ph", "6.6", t0 + 10 + 252, quality: .stale, unit: "[pH]", type: .ddata),
            expected("pulp_ph", "6.55", t0 + 10 + 253, unit: "[pH]", type: .ddata),
            // 254 never came: 255 and 0 are held until the NDEATH releases them, in seq order.
            expected("pulp_ph", "6.45", t0 + 10 + 255, unit: "[pH]", historical: true, type: .ddata),
            expected("froth_level", "7.5", t0 + 10, type: .ddata),
        ])
        #expect(events.rejections.map(\.reason) == [.notNumeric])  // "mode" is a string
        #expect(session.counters.reordered == 2)
        #expect(session.counters.sequenceGaps == 1)
        #expect(session.counters.staleDeathsIgnored == 1)          // the bdSeq 6 will
        guard case .stale(_, nil, let metrics, _)? = events.last else {
            Issue.record("the matching NDEATH did not mark the node stale: \(String(describing: events.last))")
            return
        }
        #expect(metrics.count == 9)  // uptime and cell01's eight metrics, the spare one too
    }

    @Test("the simulator's Sparkplug messages decode in Python to what Swift encoded")
    func swiftEncodesPythonDecodes() throws {
        let dir = TemporaryDirectory("sparkplug-xcheck")
        var model = PlantModel(seed: 3, start: TestPayloads.t0)
        var encoder = SparkplugPlantEncoder(sensors: model.sensors, bdSeq: 41)
        var messages = encoder.birth(at: TestPayloads.t0)
        let samples = model.messages(upTo: TestPayloads.t0.adding(milliseconds: 5_000)).filter { $0.sentValue != nil }
        messages += samples.compactMap { encoder.data($0) }
        messages.append(encoder.death())
        let input = messages.map { m in "\(m.topic) " + m.payload.map { String(format: "%02x", $0) }.joined() }.joined(separator: "\n")
        let decoded = try Self.python("decode", Self.descriptorSet(in: dir), input: input + "\n", dir: dir)
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(decoded.count == messages.count)

        // NBIRTH: seq 0, bdSeq 41.
        let nbirth = decoded[0]
        #expect(nbirth["topic"] as? String == "spBv1.0/tinmine/NBIRTH/pilot1")
        #expect(nbirth["seq"] as? Int == 0)
        let nbirthMetrics = nbirth["metrics"] as! [[String: Any]]
        #expect(nbirthMetrics.first?["name"] as? String == "bdSeq")
        #expect(nbirthMetrics.first?["value"] as? Int == 41)

        // DBIRTHs: every sensor declared once, with its alias and unit.
        let births = decoded.filter { ($0["topic"] as! String).contains("/DBIRTH/") }
        var declared: [String: (alias: Int, unit: String)] = [:]
        for birth in births {
            let device = (birth["topic"] as! String).split(separator: "/").last!
            for m in birth["metrics"] as! [[String: Any]] {
                declared["\(device)/\(m["name"] as! String)"] = (m["alias"] as! Int, (m["properties"] as! [String: Any])["engUnit"] as! String)
                #expect(m["is_null"] as? Bool == true)
            }
        }
        #expect(declared.count == model.sensors.count)
        for sensor in model.sensors {
            #expect(declared[sensor.id]?.unit == sensor.unit)
        }

        // DDATA: the sample's value, time and alias; seq continues across the births.
        let data = decoded.filter { ($0["topic"] as! String).contains("/DDATA/") }
        #expect(data.count == samples.count)
        for (sample, message) in zip(samples, data) {
            let m = (message["metrics"] as! [[String: Any]])[0]
            #expect(m["alias"] as? Int == declared[sample.sensor]?.alias)
            #expect((m["timestamp"] as? NSNumber)?.int64Value == sample.time.millisecondsSinceEpoch)
            #expect(DecimalValue("\(m["value"] as! Double)")?.doubleValue == sample.sentValue?.doubleValue)
        }
        let seqs = decoded.dropLast().compactMap { $0["seq"] as? Int }
        #expect(seqs == (0..<seqs.count).map { $0 % 256 })

        // NDEATH (the will): bdSeq 41, no seq.
        let death = decoded.last!
        #expect(death["seq"] is NSNull)
        #expect(((death["metrics"] as! [[String: Any]])[0]["value"] as? Int) == 41)
    }
}
