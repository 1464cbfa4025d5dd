import Testing
import TinsenseConfig
import TinsenseCore
import TinsenseDecode
import TinsenseSimulator
import TinsenseValidate

/// The simulator's pure plant model, checked against the shipped config/tinsense.toml and the
/// real decoder and validator (no broker involved).
@Suite("Simulator model")
struct SimulatorModelTests {
    static let start = RFC3339.parse("2026-03-02T06:00:00.000Z")!

    static func configPath(_ file: String = #filePath) -> String {
        // Tests/IntegrationTests/SimulatorModelTests.swift → repository root.
        var parts = file.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/config/tinsense.toml"
    }

    static func loadConfig() throws -> Config {
        try ConfigLoader.load(path: configPath())
    }

    static func run(
        seed: UInt64 = 42, faults: [FaultSpec] = [], seconds: Int64, sensors: [SimulatedSensor] = PilotPlant.sensors
    ) -> (PlantModel, [SimulatedMessage]) {
        var model = PlantModel(seed: seed, start: start, faults: faults, sensors: sensors)
        let messages = model.messages(upTo: start.adding(milliseconds: seconds * 1000))
        return (model, messages)
    }

    static func decodeOne(_ payload: [UInt8]) -> Result<DecodedItem, DecodeFailure> {
        switch PayloadDecoder.decode(payload) {
        case .failure(let failure): return .failure(failure)
        case .items(let items):
            guard items.count == 1 else { return .failure(DecodeFailure(.malformed, "\(items.count) items")) }
            return items[0]
        }
    }

    static func sensor(_ id: String) -> SimulatedSensor {
        PilotPlant.sensors.first { $0.id == id }!
    }

    // MARK: - Catalog and config

    @Test("the plant has 40–80 sensors on ISA-95 topics tinmine/pilot1/<area>/line1/<equipment>/<metric>")
    func catalogShape() {
        let sensors = PilotPlant.sensors
        #expect((40...80).contains(sensors.count))
        #expect(Set(sensors.map(\.id)).count == sensors.count)
        #expect(Set(sensors.map(\.topic)).count == sensors.count)
        for sensor in sensors {
            let levels = sensor.topic.split(separator: "/").map(String.init)
            #expect(levels.count == 6, "\(sensor.topic)")
            #expect(levels[0] == "tinmine" && levels[1] == "pilot1" && levels[3] == "line1", "\(sensor.topic)")
            #expect(["crushing", "flotation", "gravity", "assay"].contains(levels[2]), "\(sensor.topic)")
        }
        let areas = Set(sensors.map { $0.topic.split(separator: "/")[2] })
        #expect(areas.count == 4)
    }

    @Test("every simulated topic matches exactly one [[sensor]] of config/tinsense.toml, which builds the simulator's id")
    func topicsMatchConfig() throws {
        let config = try Self.loadConfig()
        for sensor in PilotPlant.sensors {
            let matching = config.sensorSpecs.enumerated().filter { $0.element.topic.match(sensor.topic) != nil }
            #expect(matching.count == 1, "\(sensor.topic) matches \(matching.count) entries")
            guard let (_, spec) = matching.first, let captures = spec.topic.match(sensor.topic) else { continue }
            #expect(spec.sensorID(topic: sensor.topic, captures: captures) == sensor.id)
            #expect(spec.topic.text == sensor.configPattern)
            #expect(spec.unit == sensor.unit)
            #expect(spec.range == sensor.range)
            #expect(spec.plausible == sensor.plausible)
            #expect(spec.maxRatePerSecond == sensor.maxRatePerSecond)
            #expect(spec.periodMs == sensor.periodMilliseconds)
            #expect(spec.staleAfterMs == Int64(sensor.staleAfterSeconds) * 1000)
        }
        #expect(config.subscriptions.allSatisfy { $0.hasPrefix("tinmine/pilot1/") })
    }

    // MARK: - Determinism

    @Test("the same seed and start give byte-identical messages; another seed gives other values")
    func determinism() {
        let (_, first) = Self.run(seed: 7, seconds: 600)
        let (_, second) = Self.run(seed: 7, seconds: 600)
        let (_, other) = Self.run(seed: 8, seconds: 600)
        #expect(!first.isEmpty)
        #expect(first == second)
        #expect(first.map(\.payload) != other.map(\.payload))
        #expect(first.count == other.count, "the schedule does not depend on the seed")
    }

    @Test("asking in small steps yields exactly the messages of one big request, in time order")
    func steppingDoesNotMatter() {
        let (_, whole) = Self.run(seed: 3, seconds: 900)
        var model = PlantModel(seed: 3, start: Self.start)
        var stepped: [SimulatedMessage] = []
        var t: Int64 = 0
        var step: Int64 = 1
        while t < 900_000 {
            t = min(900_000, t + step)
            stepped += model.messages(upTo: Self.start.adding(milliseconds: t))
            step = step * 7 % 65_521 + 13  // irregular step sizes, 13 ms to ~65 s
        }
        #expect(stepped == whole)
        #expect(zip(whole, whole.dropFirst()).allSatisfy { $0.time <= $1.time })
    }

    // MARK: - Healthy plant

    @Test("without faults every reading decodes and passes the config's validation untouched (range, plausible, max_rate)")
    func healthyPlantIsValid() throws {
        let config = try Self.loadConfig()
        var validator = Validator(catalog: SensorCatalog(specs: config.sensorSpecs), policy: config.validationPolicy, start: Self.start)
        let (_, messages) = Self.run(seed: 2026, seconds: 3600)
        var previous: [String: (time: Timestamp, value: Double)] = [:]
        var perSensor: [String: Int] = [:]
        for message in messages {
            #expect(message.fault == nil)
            let spec = try #require(config.sensorSpecs.first { $0.topic.match(message.topic) != nil })
            let item = try Self.decodeOne(message.payload).get()
            guard case .number(let value) = item.value else { Issue.record("not a number: \(message)"); continue }
            #expect(value == message.sentValue)
            let x = value.doubleValue
            // The checks spelled out against the config's numbers …
            #expect(spec.range!.contains(x), "\(message.sensor) = \(value) outside range")
            #expect(spec.plausible!.contains(x), "\(message.sensor) = \(value) outside plausible")
            if let last = previous[message.sensor] {
                let rate = abs(x - last.value) / (Double(last.time.milliseconds(to: message.time)) / 1000)
                #expect(rate <= spec.maxRatePerSecond!, "\(message.sensor) changed \(rate)/s")
            }
            previous[message.sensor] = (message.time, x)
            perSensor[message.sensor, default: 0] += 1
            // … and the real validator agrees (receive time = source time: a live run).
            let verdict = validator.validate(topic: message.topic, item: item, receiveTime: message.time)
            guard case .accept(let reading, _, let downgrades, _) = verdict else {
                Issue.record("\(message.sensor): \(verdict)")
                continue
            }
            #expect(downgrades.isEmpty, "\(message.sensor) = \(value): \(downgrades)")
            #expect(reading.quality == .good)
            #expect(reading.sensor == message.sensor)
        }
        #expect(perSensor.count == PilotPlant.sensors.count)
        #expect(perSensor["cell01/pulp_ph"] == 3600)
    }

    @Test("payload shapes: RFC 3339 JSON with unit and quality, epoch-ms JSON for table02, bare numbers for jig01")
    func payloadShapes() throws {
        let (_, messages) = Self.run(seed: 1, seconds: 30)
        let ph = try #require(messages.first { $0.sensor == "cell01/pulp_ph" })
        let phText = String(decoding: ph.payload, as: UTF8.self)
        #expect(phText == #"{"ts":"\#(RFC3339.format(ph.time))","value":\#(ph.sentValue!),"unit":"[pH]","quality":"good"}"#)
        #expect(ph.sentValue!.scale == 2)
        #expect((5.0...8.0).contains(ph.sentValue!.doubleValue))

        let slope = try #require(messages.first { $0.sensor == "table02/deck_slope" })
        #expect(String(decoding: slope.payload, as: UTF8.self) == #"{"ts":\#(slope.time.millisecondsSinceEpoch),"value":\#(slope.sentValue!)}"#)
        #expect(try Self.decodeOne(slope.payload).get().sourceTime == slope.time)

        let bed = try #require(messages.first { $0.sensor == "jig01/bed_level" })
        #expect(String(decoding: bed.payload, as: UTF8.self) == bed.sentValue!.description)
        #expect(try Self.decodeOne(bed.payload).get().sourceTime == nil)
    }

    @Test("tin grades span four decades: ~0.05 % Sn in tails to ~70 % in the final concentrate, with the instrument's resolution")
    func tinGrades() {
        let (_, messages) = Self.run(seed: 5, seconds: 3600)
        let tails = messages.filter { $0.sensor == "xrf01/tails_sn" }.map { $0.sentValue! }
        let final = messages.filter { $0.sensor == "xrf01/final_conc_sn" }.map { $0.sentValue! }
        #expect(!tails.isEmpty && !final.isEmpty)
        #expect(tails.allSatisfy { $0.scale == 3 && (0.02...0.1).contains($0.doubleValue) })
        #expect(final.allSatisfy { (60.0...76.0).contains($0.doubleValue) })
    }

    @Test("the XRF analyzer reports each stream every 4 minutes, the four streams one minute apart")
    func xrfCadence() {
        let (_, messages) = Self.run(seed: 9, seconds: 3600)
        let streams = ["feed", "rougher_conc", "final_conc", "tails"]
        var firstTimes: [Int64] = []
        for stream in streams {
            for element in ["sn", "fe", "as", "density"] {
                let times = messages.filter { $0.sensor == "xrf01/\(stream)_\(element)" }.map(\.time)
                #expect(times.count == 15)
                #expect(zip(times, times.dropFirst()).allSatisfy { $0.milliseconds(to: $1) == 240_000 })
            }
            let sn = messages.first { $0.sensor == "xrf01/\(stream)_sn" }!
            firstTimes.append(Self.start.milliseconds(to: sn.time))
        }
        #expect(zip(firstTimes, firstTimes.dropFirst()).allSatisfy { $1 - $0 == 60_000 })
        // The process signals, by contrast, report every second.
        #expect(messages.filter { $0.sensor == "crusher01/vibration" }.count == 3600)
    }

    // MARK: - Faults

    /// Sensors on which every fault kind is tried: JSON, epoch-ms and bare-number gateways, a
    /// load-coupled signal and a slow XRF stream.
    static let faultTargets = ["cell02/pulp_ph", "table02/feed_rate", "jig01/bed_level", "crusher02/motor_power", "xrf01/tails_sn"]

    @Test(
        "every sensor fault kind is labelled and changes the signal inside its window and nowhere else",
        arguments: FaultKind.allCases.filter { $0 != .trip }
    )
    func faultChangesOnlyItsWindow(kind: FaultKind) {
        for target in Self.faultTargets {
            let window: Range<Int64> = 600_000..<1_500_000  // covers ≥ 3 XRF assays
            let fault = FaultSpec(kind: kind, selector: target, startOffsetMilliseconds: window.lowerBound, durationMilliseconds: Int64(window.count))
            // The target and two bystanders: noise is drawn per sensor, so a subset of the
            // plant gives the same messages as the whole plant, in a fraction of the time.
            let sensors = PilotPlant.sensors.filter { [target, "cell01/pulp_ph", "crusher01/vibration"].contains($0.id) }
            let (model, faulted) = Self.run(seed: 11, faults: [fault], seconds: 2400, sensors: sensors)
            let (_, clean) = Self.run(seed: 11, seconds: 2400, sensors: sensors)

            #expect(model.labels == [FaultLabel(
                sensor: target, topic: Self.sensor(target).topic, fault: kind,
                start: Self.start.adding(milliseconds: window.lowerBound), end: Self.start.adding(milliseconds: window.upperBound)
            )])
            func inWindow(_ m: SimulatedMessage) -> Bool { m.sensor == target && model.labels[0].contains(m.time) }
            // Outside the window the faulted run is the clean run, message for message.
            #expect(faulted.filter { !inWindow($0) } == clean.filter { !inWindow($0) }, "\(kind) on \(target)")

            let cleanInside = clean.filter(inWindow)
            let faultedInside = faulted.filter(inWindow)
            #expect(cleanInside.count >= 3)
            #expect(faultedInside.allSatisfy { $0.fault == kind })
            let sensor = Self.sensor(target)
            let width = sensor.plausible.upperBound - sensor.plausible.lowerBound
            let values = faultedInside.compactMap { $0.sentValue?.doubleValue }
            let truth = faultedInside.map(\.trueValue.doubleValue)
            switch kind {
            case .dropout:
                #expect(faultedInside.isEmpty)
            case .malformed:
                #expect(faultedInside.count == cleanInside.count)
                #expect(faultedInside.allSatisfy { $0.sentValue == nil })
            case .stuck:
                #expect(Set(values).count == 1)
                #expect(Set(cleanInside.map(\.sentValue)).count > 1)
            case .spike:
                #expect(zip(values, truth).allSatisfy { abs($0 - $1) >= 0.45 * width })
            case .step:
                #expect(zip(values, truth).allSatisfy { abs($0 - $1) >= 0.2 * width })
            case .drift:
                let offsets = zip(values, truth).map { abs($0 - $1) }
                #expect(offsets.first! < 0.1 * width && offsets.last! > 0.25 * width)
            case .noise:
                let deviation = zip(values, truth).map { abs($0 - $1) }.max()!
                #expect(deviation > 0.05 * width)
            case .outOfRange:
                #expect(values.allSatisfy { !sensor.range.contains($0) })
            case .trip:
                break
            }
        }
    }

    @Test("malformed payloads are really malformed: the decoder rejects every one as malformed, on every payload shape")
    func malformedPayloads() {
        for target in Self.faultTargets {
            let fault = FaultSpec(kind: .malformed, selector: target, startOffsetMilliseconds: 0, durationMilliseconds: 3_600_000)
            let (_, messages) = Self.run(seed: 4, faults: [fault], seconds: 3600)
            let broken = messages.filter { $0.sensor == target }
            #expect(broken.count >= 15)
            #expect(Set(broken.map(\.payload)).count > 3, "several kinds of breakage")
            for message in broken {
                guard case .failure(let failure) = Self.decodeOne(message.payload) else {
                    Issue.record("decoded: \(String(decoding: message.payload, as: UTF8.self))")
                    continue
                }
                #expect(failure.reason == .malformed)
            }
        }
    }

    @Test("out-of-range faults are quarantined by the validator as out_of_range")
    func outOfRangeIsQuarantined() throws {
        let config = try Self.loadConfig()
        var validator = Validator(catalog: SensorCatalog(specs: config.sensorSpecs), policy: config.validationPolicy, start: Self.start)
        let fault = FaultSpec(kind: .outOfRange, selector: "*/vibration", startOffsetMilliseconds: 10_000, durationMilliseconds: 5_000)
        let (model, messages) = Self.run(seed: 6, faults: [fault], seconds: 30)
        #expect(Set(model.labels.map(\.sensor)) == ["crusher01/vibration", "crusher02/vibration"])
        var rejected = 0
        for message in messages where message.fault == .outOfRange {
            let item = try Self.decodeOne(message.payload).get()
            if case .reject(.outOfRange, _, _) = validator.validate(topic: message.topic, item: item, receiveTime: message.time) {
                rejected += 1
            }
        }
        #expect(rejected == 10)
    }

    @Test("a crusher trip drops motor power, current and belt feed to about zero, then the line restarts")
    func crusherTrip() {
        let trip = FaultSpec(kind: .trip, selector: "crusher02", startOffsetMilliseconds: 300_000, durationMilliseconds: 120_000)
        let (model, messages) = Self.run(seed: 12, faults: [trip], seconds: 900)
        let labelled = Set(model.labels.map(\.sensor))
        #expect(labelled.isSuperset(of: ["crusher02/motor_power", "crusher01/motor_power", "conveyor01/feed_rate", "crusher02/motor_current"]))
        #expect(!labelled.contains("crusher02/bearing_temp"))
        #expect(model.labels.allSatisfy { $0.fault == .trip })

        func values(_ sensor: String, from: Int64, to: Int64) -> [Double] {
            messages.filter { $0.sensor == sensor && (from..<to).contains(Self.start.milliseconds(to: $0.time)) }
                .map { $0.sentValue!.doubleValue }
        }
        for sensor in ["crusher02/motor_power", "crusher02/motor_current", "conveyor01/feed_rate", "conveyor02/feed_rate"] {
            #expect(values(sensor, from: 200_000, to: 300_000).allSatisfy { $0 > 15 }, "\(sensor) runs before the trip")
            let noiseFloor = 3 * Self.sensor(sensor).signal.noiseSigma + 0.5
            #expect(values(sensor, from: 330_000, to: 420_000).allSatisfy { $0 < noiseFloor }, "\(sensor) ~0 while tripped")
            #expect(values(sensor, from: 500_000, to: 900_000).allSatisfy { $0 > 15 }, "\(sensor) runs after restart")
        }
        // The interlock stops the belts, not the jaw crusher's motor: it idles without load.
        #expect(values("crusher01/motor_power", from: 200_000, to: 300_000).allSatisfy { $0 > 35 })
        #expect(values("crusher01/motor_power", from: 330_000, to: 420_000).allSatisfy { (8...16).contains($0) })
        // The coast-down respects the power signal's max_rate, so a trip is not a sensor fault.
        let power = values("crusher02/motor_power", from: 290_000, to: 480_000)
        let maxRate = Self.sensor("crusher02/motor_power").maxRatePerSecond
        #expect(zip(power, power.dropFirst()).allSatisfy { abs($1 - $0) <= maxRate })
    }

    // MARK: - Fault spec text and labels file

    @Test("the --faults syntax parses kinds, synonyms, globs, offsets and default durations")
    func faultSpecSyntax() throws {
        let faults = try FaultSpecParser.parse(
            "spike:crusher01/vibration@30s+5s, drift:*/pulp_ph@2m+10m,flatline:xrf01/tails_sn@1500ms,trip:crusher01@1h",
            seed: 1, horizonMilliseconds: 7_200_000
        )
        #expect(faults == [
            FaultSpec(kind: .spike, selector: "crusher01/vibration", startOffsetMilliseconds: 30_000, durationMilliseconds: 5_000),
            FaultSpec(kind: .drift, selector: "*/pulp_ph", startOffsetMilliseconds: 120_000, durationMilliseconds: 600_000),
            FaultSpec(kind: .stuck, selector: "xrf01/tails_sn", startOffsetMilliseconds: 1_500, durationMilliseconds: 120_000),
            FaultSpec(kind: .trip, selector: "crusher01", startOffsetMilliseconds: 3_600_000, durationMilliseconds: 120_000),
        ])
        let model = PlantModel(seed: 1, start: Self.start, faults: Array(faults.prefix(2)))
        #expect(model.labels.map(\.sensor) == ["crusher01/vibration", "cell01/pulp_ph", "cell02/pulp_ph", "cell03/pulp_ph", "cell04/pulp_ph"])

        for bad in ["spike:nosuch/sensor@10s", "wobble:cell01/pulp_ph@10s", "spike:cell01/pulp_ph", "spike:cell01/pulp_ph@soon",
                    "trip:cell01@10s", "random:lots", "spike:cell01/pulp_ph@10s+0s"] {
            #expect(throws: FaultSpecParser.ParseError.self, "\(bad)") {
                try FaultSpecParser.parse(bad, seed: 1, horizonMilliseconds: 60_000)
            }
        }
    }

    @Test("random:N places N labelled faults reproducibly from the seed, inside the run, never two at once on a sensor")
    func randomFaults() throws {
        let horizon: Int64 = 3_600_000
        let first = try FaultSpecParser.parse("random:12", seed: 77, horizonMilliseconds: horizon)
        let again = try FaultSpecParser.parse("random:12", seed: 77, horizonMilliseconds: horizon)
        let other = try FaultSpecParser.parse("random:12", seed: 78, horizonMilliseconds: horizon)
        #expect(first.count == 12)
        #expect(first == again)
        #expect(first != other)
        for fault in first {
            #expect(fault.kind != .trip)
            #expect(fault.startOffsetMilliseconds >= horizon / 10)
            #expect(fault.startOffsetMilliseconds + fault.durationMilliseconds <= horizon * 9 / 10 + 1)
        }
        for (i, a) in first.enumerated() {
            for b in first[(i + 1)...] where a.selector == b.selector {
                let ra = a.startOffsetMilliseconds..<(a.startOffsetMilliseconds + a.durationMilliseconds)
                let rb = b.startOffsetMilliseconds..<(b.startOffsetMilliseconds + b.durationMilliseconds)
                #expect(!ra.overlaps(rb))
            }
        }
        #expect(PlantModel(seed: 77, start: Self.start, faults: first).labels.count == 12)

        // In a five-minute run the 4-minute XRF streams cannot hold a visible fault: every
        // fault still ends inside the run.
        let short = try FaultSpecParser.parse("random:30", seed: 5, horizonMilliseconds: 300_000)
        #expect(short.count == 30)
        #expect(short.allSatisfy { $0.startOffsetMilliseconds + $0.durationMilliseconds <= 270_000 })
        #expect(short.allSatisfy { !$0.selector.hasPrefix("xrf01/") })
    }

    @Test("the labels file is CSV with header sensor,topic,fault,start,end and RFC 3339 millisecond UTC times")
    func labelsCSV() {
        let fault = FaultSpec(kind: .noise, selector: "froth01/bubble_size", startOffsetMilliseconds: 90_000, durationMilliseconds: 30_000)
        let model = PlantModel(seed: 1, start: Self.start, faults: [fault])
        let lines = FaultLabel.csv(model.labels).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines == [
            "sensor,topic,fault,start,end",
            "froth01/bubble_size,tinmine/pilot1/flotation/line1/froth01/bubble_size_mm,noise,2026-03-02T06:01:30.000Z,2026-03-02T06:02:00.000Z",
            "",
        ])
    }

    @Test("durations read as ms, s, m, h or bare seconds")
    func durations() {
        #expect(DurationText.milliseconds("1500ms") == 1_500)
        #expect(DurationText.milliseconds("30s") == 30_000)
        #expect(DurationText.milliseconds("5m") == 300_000)
        #expect(DurationText.milliseconds("1.5h") == 5_400_000)
        #expect(DurationText.milliseconds("90") == 90_000)
        #expect(DurationText.milliseconds("-5s") == nil)
        #expect(DurationText.milliseconds("soon") == nil)
    }
}
