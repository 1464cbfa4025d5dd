#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TinsenseCore

/// The sample-by-sample state of one sensor: its own noise generator, where it is in its
/// schedule, and what its active faults remember (the frozen value of a stuck sensor).
///
/// Every sample draws the same number of random numbers whether or not a fault is active,
/// so a fault changes the signal inside its window and nowhere else.
struct SensorChannel: Sendable {
    /// A sensor fault resolved to absolute milliseconds since the simulation start.
    struct ActiveFault: Sendable {
        var kind: FaultKind
        var window: Range<Int64>
        /// The healthy value at the first sample inside the window (stuck value, direction).
        var anchor: Double?
    }

    let spec: SimulatedSensor
    let catalogIndex: Int
    private let wander: SmoothWander
    private let phaseMilliseconds: Int64
    private var noise: SplitMix64
    private var nextSample: Int64 = 0
    private var faults: [ActiveFault]
    private let tripWindows: [Range<Int64>]

    init(spec: SimulatedSensor, catalogIndex: Int, seed: UInt64, faults: [ActiveFault], tripWindows: [Range<Int64>]) {
        self.spec = spec
        self.catalogIndex = catalogIndex
        var wanderGenerator = SplitMix64.derived(from: seed, name: "wander/" + spec.id)
        wander = SmoothWander(generator: &wanderGenerator)
        var phaseGenerator = SplitMix64.derived(from: seed, name: "phase/" + spec.id)
        phaseMilliseconds = spec.fixedPhaseMilliseconds
            ?? Int64(phaseGenerator.nextUnit() * Double(min(spec.periodMilliseconds, 1000)))
        noise = SplitMix64.derived(from: seed, name: "noise/" + spec.id)
        self.faults = faults
        self.tripWindows = tripWindows
    }

    /// Appends every sample due before `end` (ms since start) to `output`.
    mutating func emit(before end: Int64, start: Timestamp, crushing: CrushingLine, into output: inout [SimulatedMessage]) {
        while true {
            let offset = phaseMilliseconds + nextSample * spec.periodMilliseconds
            guard offset < end else { return }
            nextSample += 1
            if let message = sample(atOffset: offset, start: start, crushing: crushing) {
                output.append(message)
            }
        }
    }

    private mutating func sample(atOffset t: Int64, start: Timestamp, crushing: CrushingLine) -> SimulatedMessage? {
        // Fixed draws per sample: measurement noise, fault noise, malformed variant.
        let measurementNoise = Self.clipped(noise.nextGaussian()) * spec.signal.noiseSigma
        let faultNoise = Self.clipped(noise.nextGaussian())
        let variant = Int(noise.nextUnit() * 4)

        let healthy = Self.clamp(processLevel(atOffset: t, crushing: crushing) + measurementNoise, to: spec.plausible)
        let trueValue = Self.quantized(healthy, scale: spec.scale, inside: spec.plausible)
        let time = start.adding(milliseconds: t)

        guard let index = faults.firstIndex(where: { $0.window.contains(t) }) else {
            let tripped = tripWindows.contains { $0.contains(t) }
            return message(time: time, value: trueValue, trueValue: trueValue, fault: tripped ? .trip : nil)
        }
        if faults[index].anchor == nil { faults[index].anchor = healthy }
        let fault = faults[index]
        let anchor = fault.anchor ?? healthy
        let width = spec.plausible.upperBound - spec.plausible.lowerBound
        let midpoint = (spec.plausible.lowerBound + spec.plausible.upperBound) / 2
        // Move away from the nearer plausible edge, so the excursion stays inside the span.
        let direction: Double = anchor <= midpoint ? 1 : -1

        let faulted: Double
        switch fault.kind {
        case .dropout:
            return nil
        case .malformed:
            let payload = PayloadEncoder.malformed(value: trueValue, at: time, unit: spec.unit, shape: spec.shape, variant: variant)
            return SimulatedMessage(
                topic: spec.topic, payload: payload, sensor: spec.id, time: time,
                sentValue: nil, trueValue: trueValue, fault: .malformed
            )
        case .spike:
            faulted = healthy + direction * 0.5 * width
        case .step:
            faulted = healthy + direction * 0.25 * width
        case .drift:
            let progress = Double(t - fault.window.lowerBound) / Double(fault.window.count)
            faulted = healthy + direction * 0.4 * width * progress
        case .noise:
            faulted = healthy + faultNoise * 0.08 * width
        case .stuck:
            faulted = anchor
        case .outOfRange:
            faulted = spec.range.upperBound + 0.1 * (spec.range.upperBound - spec.range.lowerBound)
        case .trip:
            faulted = healthy  // trips act on the process, never listed as a sensor fault
        }
        let bounded = fault.kind == .outOfRange ? faulted : Self.clamp(faulted, to: spec.range)
        let sent = Self.quantized(bounded, scale: spec.scale, inside: fault.kind == .outOfRange ? nil : spec.range)
        return message(time: time, value: sent, trueValue: trueValue, fault: fault.kind)
    }

    private func message(time: Timestamp, value: DecimalValue, trueValue: DecimalValue, fault: FaultKind?) -> SimulatedMessage {
        SimulatedMessage(
            topic: spec.topic,
            payload: PayloadEncoder.encode(value: value, at: time, unit: spec.unit, shape: spec.shape),
            sensor: spec.id, time: time, sentValue: value, trueValue: trueValue, fault: fault
        )
    }

    /// The noiseless process value at `t` ms after the start.
    func processLevel(atOffset t: Int64, crushing: CrushingLine) -> Double {
        switch spec.signal.coupling {
        case .independent:
            return spec.signal.nominal + spec.signal.wanderAmplitude * wander.value(atSeconds: Double(t) / 1000)
        case let .crusherLoad(crusher, base, runningExtra, perTonnePerHour, averagedOverSeconds):
            return crushing.level(
                crusher: crusher, base: base, runningExtra: runningExtra, perTonnePerHour: perTonnePerHour,
                averagedOverSeconds: averagedOverSeconds, atMilliseconds: t
            )
        }
    }

    static func clipped(_ standardNormal: Double) -> Double {
        min(3, max(-3, standardNormal))
    }

    static func clamp(_ value: Double, to bounds: ClosedRange<Double>) -> Double {
        min(bounds.upperBound, max(bounds.lowerBound, value))
    }

    /// Rounds to the instrument's resolution; when `bounds` is given, a rounding that lands
    /// just outside it is pulled back by one least significant digit.
    static func quantized(_ value: Double, scale: UInt8, inside bounds: ClosedRange<Double>?) -> DecimalValue {
        let factor = pow(10, Double(scale))
        var decimal = DecimalValue(mantissa: Int64((value * factor).rounded()), scale: scale)
        if let bounds {
            if decimal.doubleValue > bounds.upperBound { decimal.mantissa -= 1 }
            if decimal.doubleValue < bounds.lowerBound { decimal.mantissa += 1 }
        }
        return decimal
    }
}
