import TinsenseCore

/// The simulated tin pilot plant: a pure, deterministic source of MQTT messages.
///
/// No clock and no I/O: the caller passes the start time and asks for everything due before
/// a later time, as often as it likes; the sequence is the same for the same seed, start and
/// faults however the calls are spaced. Without faults every reading is valid for
/// config/tinsense.toml (inside `range` and `plausible`, under `max_rate`).
package struct PlantModel: Sendable {
    package let seed: UInt64
    package let start: Timestamp
    package let sensors: [SimulatedSensor]
    package let faults: [FaultSpec]
    /// Ground truth: one label per (fault, affected sensor), in fault order.
    package let labels: [FaultLabel]

    private var channels: [SensorChannel]
    private let crushing: CrushingLine
    private var emittedUpTo: Int64 = 0

    /// Load-coupled signals that follow a crusher within a minute: what a trip visibly moves.
    private static func followsTrips(_ spec: SimulatedSensor) -> Bool {
        if case let .crusherLoad(_, _, _, _, averagedOverSeconds) = spec.signal.coupling {
            return averagedOverSeconds <= 60
        }
        return false
    }

    package init(seed: UInt64, start: Timestamp, faults: [FaultSpec] = [], sensors: [SimulatedSensor] = PilotPlant.sensors) {
        self.seed = seed
        self.start = start
        self.sensors = sensors
        self.faults = faults

        var stops: [CrushingLine.Stop] = []
        var labels: [FaultLabel] = []
        var sensorFaults = [[SensorChannel.ActiveFault]](repeating: [], count: sensors.count)
        var tripWindows = [[Range<Int64>]](repeating: [], count: sensors.count)
        for fault in faults {
            let window = fault.startOffsetMilliseconds..<(fault.startOffsetMilliseconds + fault.durationMilliseconds)
            let startTime = start.adding(milliseconds: window.lowerBound)
            let endTime = start.adding(milliseconds: window.upperBound)
            if fault.kind == .trip {
                let tripped = PilotPlant.crushers.indices.filter { fault.selects(PilotPlant.crushers[$0]) }
                guard !tripped.isEmpty else { continue }
                stops += tripped.map { CrushingLine.Stop(crusher: $0 + 1, window: window) }
                for (index, spec) in sensors.enumerated() where Self.followsTrips(spec) {
                    tripWindows[index].append(window)
                    labels.append(FaultLabel(sensor: spec.id, topic: spec.topic, fault: .trip, start: startTime, end: endTime))
                }
                continue
            }
            for (index, spec) in sensors.enumerated() where fault.selects(spec.id) {
                sensorFaults[index].append(SensorChannel.ActiveFault(kind: fault.kind, window: window, anchor: nil))
                labels.append(FaultLabel(sensor: spec.id, topic: spec.topic, fault: fault.kind, start: startTime, end: endTime))
            }
        }
        self.labels = labels
        crushing = CrushingLine(seed: seed, stops: stops)
        channels = sensors.enumerated().map { index, spec in
            SensorChannel(spec: spec, catalogIndex: index, seed: seed, faults: sensorFaults[index], tripWindows: tripWindows[index])
        }
    }

    /// Every message with a source time before `end` that earlier calls have not returned,
    /// ordered by time, then by catalog order.
    package mutating func messages(upTo end: Timestamp) -> [SimulatedMessage] {
        let endOffset = start.milliseconds(to: end)
        guard endOffset > emittedUpTo else { return [] }
        emittedUpTo = endOffset
        var batch: [(message: SimulatedMessage, order: Int)] = []
        for index in channels.indices {
            var produced: [SimulatedMessage] = []
            channels[index].emit(before: endOffset, start: start, crushing: crushing, into: &produced)
            batch += produced.map { ($0, index) }
        }
        batch.sort { ($0.message.time, $0.order) < ($1.message.time, $1.order) }
        return batch.map(\.message)
    }
}
