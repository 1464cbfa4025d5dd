/// One simulated instrument: where it publishes, what the config says about it, and how its
/// signal behaves.
///
/// The validation fields (`range`, `plausible`, `maxRatePerSecond`, `periodMilliseconds`,
/// `staleAfterSeconds`) mirror the `[[sensor]]` entry of `config/tinsense.toml` that matches
/// `topic`; a test checks that they agree, so the healthy simulator never trips validation.
package struct SimulatedSensor: Sendable, Hashable {
    /// The sensor id exactly as the config builds it from `configPattern` and its `id` template.
    package var id: String
    /// The concrete MQTT topic, `tinmine/<site>/<area>/<line>/<equipment>/<metric>`.
    package var topic: String
    /// The `[[sensor]] topic` pattern of config/tinsense.toml this sensor falls under.
    package var configPattern: String
    /// UCUM-ish unit code sent in JSON payloads.
    package var unit: String
    /// Instrument span: the healthy plant never leaves it; the `out_of_range` fault does.
    package var range: ClosedRange<Double>
    /// Process plausibility window: the healthy plant stays inside it.
    package var plausible: ClosedRange<Double>
    /// The config's `max_rate`: the healthy signal changes by less than this per second.
    package var maxRatePerSecond: Double
    /// Sampling period (the config's `period_s`, in ms).
    package var periodMilliseconds: Int64
    /// The config's `stale_after_s`.
    package var staleAfterSeconds: Int
    /// Digits after the decimal point the instrument reports (its resolution).
    package var scale: UInt8
    /// Payload encoding this instrument's gateway uses.
    package var shape: PayloadShape
    /// How the true process value moves.
    package var signal: SignalModel
    /// Offset of the first sample after the start time. `nil` draws a sub-second offset from
    /// the seed (field devices are not phase-locked); the XRF analyzer uses fixed slots.
    package var fixedPhaseMilliseconds: Int64?

    package init(
        id: String, topic: String, configPattern: String, unit: String,
        range: ClosedRange<Double>, plausible: ClosedRange<Double>, maxRatePerSecond: Double,
        periodMilliseconds: Int64, staleAfterSeconds: Int, scale: UInt8, shape: PayloadShape,
        signal: SignalModel, fixedPhaseMilliseconds: Int64?
    ) {
        self.id = id
        self.topic = topic
        self.configPattern = configPattern
        self.unit = unit
        self.range = range
        self.plausible = plausible
        self.maxRatePerSecond = maxRatePerSecond
        self.periodMilliseconds = periodMilliseconds
        self.staleAfterSeconds = staleAfterSeconds
        self.scale = scale
        self.shape = shape
        self.signal = signal
        self.fixedPhaseMilliseconds = fixedPhaseMilliseconds
    }

    /// The shortest window in which a fault of `kind` spans `kind.minimumReadings` of this
    /// sensor's readings (a window of n periods always holds n samples of a periodic sensor).
    package func minimumFaultDurationMilliseconds(_ kind: FaultKind) -> Int64 {
        let readings = kind.minimumReadings(
            staleAfterMilliseconds: Int64(staleAfterSeconds) * 1000, periodMilliseconds: periodMilliseconds)
        return Int64(readings) * periodMilliseconds
    }

    /// The equipment level of the topic (`crusher01`), used by equipment-wide faults.
    package var equipment: String {
        let levels = topic.split(separator: "/")
        return levels.count >= 2 ? String(levels[levels.count - 2]) : topic
    }
}

/// How a gateway encodes a reading. Several shapes are published so that every decoder path
/// is exercised by the demo and the benchmark.
package enum PayloadShape: Sendable, Hashable {
    /// `{"ts":"2026-11-27T03:37:11.250Z","value":7.14,"unit":"[pH]","quality":"good"}`
    case jsonRFC3339
    /// `{"ts":1795750631250,"value":4.52}` — a PLC gateway with epoch milliseconds.
    case jsonEpochMilliseconds
    /// `4.52` — a legacy gateway that sends the bare number (receive time is used).
    case plainNumber
}

/// The healthy behaviour of one signal: a nominal level that wanders slowly, plus
/// measurement noise, optionally coupled to the crushing line's throughput.
package struct SignalModel: Sendable, Hashable {
    /// Level of an independent signal (unused for coupled ones, whose level comes from load).
    package var nominal: Double
    /// Peak slow deviation from `nominal` (process wander over tens of minutes).
    package var wanderAmplitude: Double
    /// Standard deviation of the measurement noise; draws are clipped at ±3σ.
    package var noiseSigma: Double
    package var coupling: SignalCoupling

    package init(nominal: Double, wanderAmplitude: Double, noiseSigma: Double, coupling: SignalCoupling) {
        self.nominal = nominal
        self.wanderAmplitude = wanderAmplitude
        self.noiseSigma = noiseSigma
        self.coupling = coupling
    }
}

/// What a signal's level depends on.
package enum SignalCoupling: Sendable, Hashable {
    /// Nominal plus wander; the flotation and gravity circuits sit behind surge bins and
    /// mills, so they do not follow the crushers second by second.
    case independent
    /// `base + runningExtra × running + perTonnePerHour × throughput` of crusher 1 or 2,
    /// averaged over the last `averagedOverSeconds` (thermal lag); 0 means instantaneous.
    /// Motor power, current, vibration and belt feed drop to ~0 when the crusher trips.
    case crusherLoad(crusher: Int, base: Double, runningExtra: Double, perTonnePerHour: Double, averagedOverSeconds: Int)
}
