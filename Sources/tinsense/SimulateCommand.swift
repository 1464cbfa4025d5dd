#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import Logging
import Synchronization
import TinsenseCore
import TinsenseMQTT
import TinsenseSimulator

/// `tinsense simulate`: publishes the deterministic tin pilot plant of `TinsenseSimulator`
/// to a broker — the demo's data source and the detector benchmark's.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Publish a realistic tin pilot plant (70 sensors) with injectable faults to an MQTT broker.",
        discussion: """
        The plant is the one config/tinsense.toml describes: crushers and belts (1 s), a flotation \
        bank, reagent pumps and a froth camera (1–5 s), shaking tables, a spiral and a jig (1–10 s), \
        and an XRF analyzer giving each of four streams (feed, rougher_conc, final_conc, tails) an \
        assay of Sn, Fe, As and slurry density every 4 minutes. The same --seed and --start give the \
        same messages. Without --faults every reading is valid for config/tinsense.toml. Messages go \
        out at QoS 1 with client id tinsense-sim-<seed>; at the end it prints "published N messages".

        Payloads: {"ts":"<RFC 3339>","value":7.14,"unit":"[pH]","quality":"good"}; table02 sends \
        {"ts":<epoch ms>,"value":4.52} and jig01 a bare number (no timestamp).

        --rate is a speed-up factor of simulated time over wall time (1 = real time, 60 = one \
        simulated minute per second) or "max" (as fast as the broker acknowledges). --duration is \
        simulated time. At a rate above 1 the simulated clock runs ahead of the wall clock; keep \
        duration × (1 − 1/rate) under the daemon's max_future_skew_s, or start in the past \
        (--start=-1h: the = keeps the minus from reading as an option).

        --faults SPEC is a comma-separated list of
          KIND:SELECTOR@OFFSET[+DURATION]   a fault from OFFSET after the start, for DURATION
          random:N                          N random sensor faults, reproducible from --seed
        KIND: spike | drift | stuck (flatline) | dropout | step | noise | out_of_range | malformed \
        | trip. SELECTOR: a sensor id as the config builds it (crusher01/vibration, cell02/pulp_ph, \
        xrf01/tails_sn), * matches any characters (*/pulp_ph); for trip a crusher (crusher01, \
        crusher02): its power, current and vibration and both belts coast to ~0 within 5 s (the other \
        crusher idles), restarting over 30 s after the window. \
        OFFSET and DURATION: 1500ms, 30s, 5m, 2h or bare seconds; DURATION defaults per kind \
        (spike 3s, dropout 30s, stuck/step/trip 2m, drift 5m). Faults shorter than a sensor's \
        period may hold no sample (XRF streams report every 4 min).

        --labels FILE writes the ground truth as CSV: sensor,topic,fault,start,end (RFC 3339 UTC, \
        end exclusive), one row per fault and affected sensor.

        Examples:
          tinsense simulate --broker mqtt://127.0.0.1:1883 --duration 60s
          tinsense simulate --broker 127.0.0.1:1883 --rate max --duration 2h --seed 7 \\
              --faults 'spike:crusher01/vibration@30s+5s,drift:*/pulp_ph@10m+20m,trip:crusher02@1h+5m,random:20' \\
              --labels labels.csv --start 2026-03-02T06:00:00Z
        """
    )

    @Option(help: "Broker URL, mqtt://HOST:PORT or HOST:PORT.")
    var broker: String

    @Option(help: "Speed-up factor of simulated over wall time (1 = real time), or \"max\".")
    var rate: String = "1"

    @Option(help: "Simulated time to publish: 90s, 5m, 2h.")
    var duration: String = "60s"

    @Option(help: "Seed of the plant's noise, wander and random faults.")
    var seed: UInt64 = 1

    @Option(help: "Faults to inject (syntax above), e.g. spike:crusher01/vibration@30s+5s,random:5.")
    var faults: String?

    @Option(help: "Write the ground-truth labels CSV to this file.")
    var labels: String?

    @Option(help: "Simulated start time: \"now\", an RFC 3339 time, or -DURATION before now (--start=-1h).")
    var start: String = "now"

    func run() throws {
        let plan: Plan
        do {
            plan = try makePlan()
        } catch {
            printError("tinsense simulate: \(error.description)")
            throw ExitCodes.usage
        }
        if let labelsPath = labels {
            do {
                try FaultLabel.csv(plan.model.labels).write(toFile: labelsPath, atomically: true, encoding: .utf8)
            } catch {
                printError("tinsense simulate: cannot write labels file \(labelsPath): \(error.localizedDescription)")
                throw ExitCodes.runtimeFailure
            }
        }
        do {
            let published = try publish(plan)
            print("published \(published) messages")
        } catch {
            printError("tinsense simulate: \(error.description)")
            throw ExitCodes.runtimeFailure
        }
    }

    /// Everything decided from the options before the first byte goes out.
    struct Plan {
        var broker: BrokerURL
        var model: PlantModel
        var durationMilliseconds: Int64
        /// nil = as fast as possible.
        var speedUp: Double?
    }

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    private func makePlan() throws(UsageError) -> Plan {
        let brokerURL: BrokerURL
        do {
            brokerURL = try BrokerURL(parsing: broker)
        } catch {
            throw UsageError(description: "--broker: \(error.description)")
        }
        guard let durationMs = DurationText.milliseconds(duration), durationMs > 0 else {
            throw UsageError(description: "--duration '\(duration)': expected a positive duration such as 60s, 5m, 2h")
        }
        var speedUp: Double?
        if rate.lowercased() != "max" {
            guard let factor = Double(rate), factor.isFinite, factor > 0 else {
                throw UsageError(description: "--rate '\(rate)': expected a positive speed-up factor (1 = real time) or max")
            }
            speedUp = factor
        }
        let startTime = try parseStart()
        var faultSpecs: [FaultSpec] = []
        if let faults {
            do {
                faultSpecs = try FaultSpecParser.parse(faults, seed: seed, horizonMilliseconds: durationMs)
            } catch {
                throw UsageError(description: "--faults: \(error.description)")
            }
        }
        return Plan(
            broker: brokerURL,
            model: PlantModel(seed: seed, start: startTime, faults: faultSpecs),
            durationMilliseconds: durationMs,
            speedUp: speedUp
        )
    }

    private func parseStart() throws(UsageError) -> Timestamp {
        let now = Self.wallClockNow()
        if start.lowercased() == "now" { return now }
        if start.hasPrefix("-"), let before = DurationText.milliseconds(start.dropFirst()) {
            return now.adding(milliseconds: -before)
        }
        guard let parsed = RFC3339.parse(start) else {
            throw UsageError(description: "--start '\(start)': expected now, an RFC 3339 time (2026-03-02T06:00:00Z) or -DURATION (-1h)")
        }
        return parsed
    }

    static func wallClockNow() -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// Publishes the plan's messages, paced by wall time unless the rate is max, and returns
    /// how many were published. Stops early (still counting and flushing) on SIGINT/SIGTERM.
    private func publish(_ plan: Plan) throws(MQTTError) -> Int {
        var model = plan.model
        let logger = Logger(label: "tinsense.simulate")
        let publisher: MQTTPublisher
        do {
            publisher = try MQTTPublisher(broker: plan.broker, clientID: "tinsense-sim-\(seed)", logger: logger)
            try publisher.connect(timeout: .seconds(10))
        } catch let error as MQTTError {
            throw error
        } catch {
            throw MQTTError.refused("\(error)")
        }
        defer { publisher.disconnect() }
        StopRequest.install()

        let clock = ContinuousClock()
        let wallStart = clock.now
        /// Simulated milliseconds already published.
        var done: Int64 = 0
        var published = 0
        do {
            while done < plan.durationMilliseconds, !StopRequest.isRequested {
                let target: Int64
                if let speedUp = plan.speedUp {
                    let elapsed = clock.now - wallStart
                    let wallMs = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                    target = min(plan.durationMilliseconds, Int64(wallMs * speedUp))
                } else {
                    target = min(plan.durationMilliseconds, done + 10_000)
                }
                if target > done {
                    for message in model.messages(upTo: model.start.adding(milliseconds: target)) {
                        try publisher.publish(topic: message.topic, payload: message.payload, qos: 1, retain: false)
                        published += 1
                    }
                    done = target
                }
                if plan.speedUp != nil, done < plan.durationMilliseconds {
                    Thread.sleep(forTimeInterval: 0.05)  // pace in 50 ms ticks
                }
            }
            try publisher.flush(timeout: .seconds(60))
        } catch let error as MQTTError {
            throw error
        } catch {
            throw MQTTError.refused("\(error)")
        }
        return published
    }
}

/// Set by SIGINT/SIGTERM so an interrupted run still flushes and reports its count.
enum StopRequest {
    private static let flag = Atomic<Bool>(false)

    static var isRequested: Bool { flag.load(ordering: .relaxed) }

    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in StopRequest.flag.store(true, ordering: .relaxed) }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}
