import ArgumentParser
import Foundation
import Logging
import TinsenseCore
import TinsenseMQTT
import TinsenseSimulator
import TinsenseSystem
import UnixSignals

/// `tinsense simulate`: publishes the deterministic tin pilot plant of `TinsenseSimulator`
/// to a broker — the demo's data source and the detector benchmark's.
struct SimulateCommand: AsyncParsableCommand {
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

        --format sparkplug publishes the plant as Sparkplug B edge node pilot1 of group tinmine \
        instead (docs/SPARKPLUG.md): each equipment a device, each sensor a metric (crusher01/vibration \
        is metric vibration of device crusher01); NBIRTH with bdSeq and one DBIRTH per device with \
        aliases, then DDATA by alias with seq; the NDEATH is the MQTT will; a dropped connection \
        is replaced and the node born again with the next bdSeq; the NDEATH is published at the end. \
        config/sparkplug-site.toml reads it.

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
        xrf01/tails_sn) or a sensor pattern (*/pulp_ph, cell0[1-3]/pulp_ph; see docs/SENSOR-PATTERNS.md, \
        no commas here); for trip a crusher (crusher01, \
        crusher02): its power, current and vibration and both belts coast to ~0 within 5 s (the other \
        crusher idles), restarting over 30 s after the window. \
        OFFSET and DURATION: 1500ms, 30s, 5m, 2h or bare seconds; DURATION defaults per kind \
        (spike 3s, dropout 30s, stuck/step/trip 2m, drift 5m). Explicit faults are kept as given; \
        one that spans fewer readings of a sensor it selects than random faults do (below) draws \
        a warning, as it may not show in the data (XRF streams report every 4 min).

        random:N faults are drawn with durations typical of a 1 Hz tag, stretched to span N to 2N \
        readings of their sensor: spike, out_of_range, malformed 1; step 5; noise, drift 10; stuck \
        20; dropout stale_after + 1 reading. On an XRF stream a random stuck fault lasts 80-160 min.

        --csv FILE writes the readings to a file instead of publishing (no broker): CSV \
        sensor,topic,timestamp,value in time order, the value exactly as sent, malformed payloads \
        left out; it prints "wrote N readings to FILE". With --labels this is a labelled recording \
        for `tinsense evaluate faults --readings FILE --labels LABELS` (which can also generate the \
        same run itself: `evaluate faults --simulate`).

        --labels FILE writes the ground truth as CSV: sensor,topic,fault,start,end (RFC 3339 UTC, \
        end exclusive), one row per fault and affected sensor.

        Examples:
          tinsense simulate --broker mqtt://127.0.0.1:1883 --duration 60s
          tinsense simulate --broker 127.0.0.1:1883 --rate max --duration 2h --seed 7 \\
              --faults 'spike:crusher01/vibration@30s+5s,drift:*/pulp_ph@10m+20m,trip:crusher02@1h+5m,random:20' \\
              --labels labels.csv --start 2026-03-02T06:00:00Z
          tinsense simulate --csv readings.csv --labels labels.csv --duration 24h --seed 7 \\
              --faults random:60 --start 2026-03-02T06:00:00Z
        """
    )

    @Option(help: "Broker URL, mqtt://HOST:PORT or HOST:PORT.")
    var broker: String?

    @Option(help: "Write the readings to this CSV file (sensor,topic,timestamp,value) instead of publishing; no broker needed.")
    var csv: String?

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

    @Option(help: "Payload format: json (the plant's JSON and bare-number gateways) or sparkplug (one Sparkplug B edge node).")
    var format: String = "json"

    func run() async throws {
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
        if let csvPath = plan.csvPath {
            do {
                let written = try Self.writeCSV(plan, to: csvPath)
                print("wrote \(written) readings to \(csvPath)")
            } catch {
                printError("tinsense simulate: cannot write \(csvPath): \(error.localizedDescription)")
                throw ExitCodes.runtimeFailure
            }
            return
        }
        do {
            let published = try await publish(plan)
            print("published \(published) messages")
        } catch {
            printError("tinsense simulate: \(error.description)")
            throw ExitCodes.runtimeFailure
        }
    }

    /// Everything decided from the options before the first byte goes out.
    struct Plan {
        /// nil: write CSV to `csvPath` instead of publishing.
        var broker: BrokerURL?
        var csvPath: String?
        var model: PlantModel
        var durationMilliseconds: Int64
        /// nil = as fast as possible.
        var speedUp: Double?
        var sparkplug = false
    }

    private func makePlan() throws(SimulationSetupError) -> Plan {
        var brokerURL: BrokerURL?
        switch (broker, csv) {
        case (let broker?, nil):
            do {
                brokerURL = try BrokerURL(parsing: broker)
            } catch {
                throw SimulationSetupError(description: "--broker: \(error.description)")
            }
        case (nil, _?):
            break
        case (_?, _?):
            throw SimulationSetupError(description: "--broker and --csv exclude each other: publish, or write a file")
        case (nil, nil):
            throw SimulationSetupError(description: "missing --broker URL (or --csv FILE to write the readings without a broker)")
        }
        var speedUp: Double?
        if rate.lowercased() != "max" {
            guard let factor = Double(rate), factor.isFinite, factor > 0 else {
                throw SimulationSetupError(description: "--rate '\(rate)': expected a positive speed-up factor (1 = real time) or max")
            }
            speedUp = factor
        }
        guard format == "json" || format == "sparkplug" else {
            throw SimulationSetupError(description: "--format '\(format)': expected json or sparkplug")
        }
        let setup = try SimulationSetup(duration: duration, seed: seed, faults: faults, start: start, now: WallClock.now())
        for warning in setup.warnings { printError("tinsense simulate: warning: \(warning)") }
        return Plan(
            broker: brokerURL,
            csvPath: csv,
            model: setup.model,
            durationMilliseconds: setup.durationMilliseconds,
            speedUp: speedUp,
            sparkplug: format == "sparkplug"
        )
    }

    /// Publishes the plan's messages, paced by wall time unless the rate is max, and returns
    /// how many were published. Stops early (still counting and flushing) on SIGINT/SIGTERM.
    private func publish(_ plan: Plan) async throws(MQTTError) -> Int {
        if plan.sparkplug { return try await publishSparkplug(plan) }
        let logger = Logger(label: "tinsense.simulate")
        let publisher: MQTTPublisher
        do {
            guard let broker = plan.broker else { throw MQTTError.refused("no broker") }
            publisher = try MQTTPublisher(broker: broker, clientID: "tinsense-sim-\(seed)", logger: logger)
            try publisher.connect(timeout: .seconds(10))
        } catch let error as MQTTError {
            throw error
        } catch {
            throw MQTTError.refused("\(error)")
        }
        defer { publisher.disconnect() }
        let stop = StopRequest()
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let watcher = Task {
            for await _ in signals { stop.request() }
        }
        defer { watcher.cancel() }

        var run = PacedRun(model: plan.model, durationMilliseconds: plan.durationMilliseconds, speedUp: plan.speedUp)
        do {
            let published = try await run.run(publishingTo: MQTTPlantPublisher(publisher: publisher), clock: WallPacingClock(),
                                              isStopRequested: { stop.isRequested })
            try publisher.flush(timeout: .seconds(60))
            return published
        } catch let error as MQTTError {
            throw error
        } catch {
            throw MQTTError.refused("\(error)")
        }
    }

    /// Writes every reading of the plan as `SimulatedReadingsCSV` rows; returns the rows written.
    static func writeCSV(_ plan: Plan, to path: String) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? file.close() }
        return try SimulatedReadingsCSV.write(plan.model, durationMilliseconds: plan.durationMilliseconds) { try file.write(contentsOf: $0) }
    }
}
