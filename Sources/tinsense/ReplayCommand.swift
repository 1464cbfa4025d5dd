#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import TinsenseConfig
import TinsenseCore
import TinsenseMQTT
import TinsenseReplay
import TinsenseStorage

/// `tinsense replay`: re-publish a recording, or re-run detection offline and diff the alerts.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-publish a recording, or re-run detection offline and diff the alerts.",
        discussion: """
        Publish: sends every recorded message again, same topic (after --topic-prefix), same
        payload bytes, retain flag kept, at the recorded QoS unless --qos. --speed 1 keeps the
        recorded relative timing (N: N times faster; max: as fast as the broker acknowledges).
        Progress (messages, rate, ETA) on stderr when it is a terminal.
          tinsense replay --recording incident-0412 --publish mqtt://127.0.0.1:1884 --speed 10
        mqtts:// with --tls-ca-file (--tls-cert-file, --tls-key-file), --username and
        --password-file, as for tinsense record.

        Detect: decode, validate and detect offline with the detection settings of --config,
        at full speed, on recorded time (never the wall clock); writes the alerts it would
        have raised (alerts.jsonl format) to --alerts, and with --diff compares them with an
        old alert log: one line per new, gone or moved alert and a summary line.
          tinsense replay --recording incident-0412 --detect --config tuned.toml \\
            --alerts tuned.jsonl --diff /var/lib/tinsense/alerts.jsonl
        --data DIR re-detects stored readings instead (no inhibit rules or stale alerts there).

        --from inclusive, --to exclusive: RFC 3339 or epoch ms (receive time for a recording,
        source time for --data). Exit 0 when done, 130 when stopped by Ctrl-C or SIGTERM
        (what was sent is flushed first), 1 for failures and damage, 2 for usage errors.
        See docs/REPLAY.md.
        """
    )

    @Option(help: "The recording directory (tinsense record --out, [record] dir, or a data directory's WAL).")
    var recording: String?

    @Option(help: "A data directory: re-detect its stored readings (with --detect).")
    var data: String?

    @Option(help: "Inclusive start (RFC 3339 or epoch ms).")
    var from: String?

    @Option(help: "Exclusive end (RFC 3339 or epoch ms).")
    var to: String?

    @Option(help: "Re-publish to this broker (mqtt://host:port, or mqtts://host:port for TLS).")
    var publish: String?

    @OptionGroup(title: "TLS and credentials (with --publish)")
    var login: BrokerLoginOptions

    @Option(help: "1 (recorded timing), N (N times faster) or max.")
    var speed: String = "1"

    @Option(name: .customLong("topic-prefix"), help: "Prepended to every topic.")
    var topicPrefix: String = ""

    @Option(help: "Publish at this QoS instead of the recorded one (0 or 1).")
    var qos: Int?

    @Option(name: .customLong("client-id"), help: "MQTT client id of the publisher.")
    var clientID: String = "tinsense-replay-\(getpid())"

    @Flag(help: "Run decode, validate and detect offline instead of publishing.")
    var detect = false

    @Option(help: "The config whose sensors and detection settings the offline run uses.")
    var config: String?

    @Option(help: "Write the alerts the offline run raised here (alerts.jsonl format).")
    var alerts: String?

    @Option(help: "Compare the offline run's alerts with this old alert log.")
    var diff: String?

    @Option(name: .customLong("move-tolerance"), help: "Largest start shift still called 'moved' (e.g. 10m).")
    var moveTolerance: String = "15m"

    func validate() throws {
        if (recording == nil) == (data == nil) { throw usageError("replay", "give exactly one of --recording DIR and --data DIR") }
        if let f = from, CSVImporter.parseTime(f) == nil { throw usageError("replay", "--from: cannot read time \"\(f)\"") }
        if let t = to, CSVImporter.parseTime(t) == nil { throw usageError("replay", "--to: cannot read time \"\(t)\"") }
        if detect {
            if publish != nil { throw usageError("replay", "--detect and --publish do not go together") }
            if login.caFile != nil || login.certificateFile != nil || login.keyFile != nil || login.username != nil || login.passwordFile != nil {
                throw usageError("replay", "TLS and credential options go with --publish, not --detect")
            }
            if config == nil { throw usageError("replay", "--detect needs --config FILE") }
            if DurationText.milliseconds(moveTolerance) == nil { throw usageError("replay", "--move-tolerance: cannot read \"\(moveTolerance)\"") }
        } else {
            guard let p = publish else { throw usageError("replay", "give --publish URL or --detect") }
            if data != nil { throw usageError("replay", "--data works only with --detect (stored readings are not raw messages)") }
            if (try? BrokerURL(parsing: p)) == nil { throw usageError("replay", "--publish: cannot read \"\(p)\" (mqtt://host:port or mqtts://host:port)") }
            if ReplaySpeed(speed) == nil { throw usageError("replay", "--speed must be a positive number or max (got \"\(speed)\")") }
            if let q = qos, !(0...1).contains(q) { throw usageError("replay", "--qos must be 0 or 1") }
            if alerts != nil || diff != nil { throw usageError("replay", "--alerts and --diff need --detect") }
        }
    }

    func run() throws {
        let fromTime = from.flatMap(CSVImporter.parseTime)
        let toTime = to.flatMap(CSVImporter.parseTime)
        if detect { try runDetect(from: fromTime, to: toTime) } else { try runPublish(from: fromTime, to: toTime) }
    }

    private func runPublish(from: Timestamp?, to: Timestamp?) throws {
        let options = ReplayOptions(
            recording: Recording(directory: recording!), from: from, to: to,
            connection: try login.connection(publish!, option: "--publish", command: "replay"),
            speed: ReplaySpeed(speed)!, topicPrefix: topicPrefix, qos: qos, clientID: clientID
        )
        let stop = TinsenseReplay.StopRequest()
        let terminal = isatty(2) == 1
        let summary: ReplaySummary
        do {
            summary = try StreamReplayer(options: options, logger: CommandLogging.logger("tinsense.replay")).run(stop: stop) { p in
                if terminal { printProgress(p.line) }
            }
        } catch {
            printError("replay: \(error)")
            throw ExitCodes.runtimeFailure
        }
        if terminal { printProgress(nil) }
        var line = "replay: sent \(summary.sent) messages in \(String(format: "%.1f", summary.seconds)) s"
        if summary.skippedTruncated > 0 { line += "; \(summary.skippedTruncated) truncated messages not sent (the WAL kept only a prefix)" }
        printError(line)
        for d in summary.damage { printError("replay: damaged: \(d) (the rest of that file was skipped)") }
        if summary.stoppedBy != nil {
            printError("replay: stopped by signal; what was sent is flushed")
            throw ExitCode(130)
        }
        if !summary.damage.isEmpty { throw ExitCodes.runtimeFailure }
    }

    private func runDetect(from: Timestamp?, to: Timestamp?) throws {
        let cfg: Config
        do { cfg = try ConfigLoader.load(path: config!) } catch {
            printError("replay: \(error)")
            throw ExitCodes.usage
        }
        let source: OfflineSource = recording.map { .recording(Recording(directory: $0), from: from, to: to) }
            ?? .data(DataDirectory(path: data!), from: from, to: to)
        let result: OfflineResult
        do {
            result = try OfflineRun.run(source, config: cfg)
            if let alerts { try OfflineRun.writeAlerts(result.transitions, to: alerts) }
        } catch {
            printError("replay: \(error)")
            throw ExitCodes.runtimeFailure
        }
        let c = result.counts
        let rate = result.seconds > 0 ? Int(Double(c.readings) / result.seconds) : 0
        printError("replay: \(c.messages) messages, \(c.readings) readings (\(c.scored) scored, \(c.refused) refused), \(c.alerts) alert transitions in \(String(format: "%.2f", result.seconds)) s (\(rate) readings/s)")
        if let diff {
            guard let text = try? String(contentsOfFile: diff, encoding: .utf8) else {
                printError("replay: cannot read \(diff)")
                throw ExitCodes.runtimeFailure
            }
            let new = result.transitions.filter { $0.kind == .firing }.map {
                DiffedAlert(sensor: $0.sensor, rule: $0.rule, start: $0.startsAt, severity: $0.severity.description)
            }
            // The old log may cover far more than the recording: compare inside its span only.
            let everything = DiffedAlert.firing(inLog: text)
            let old = result.span.map { span in everything.filter { span.contains($0.start) } } ?? []
            let d = AlertDiff(old: old, new: new, toleranceMs: DurationText.milliseconds(moveTolerance)!)
            if old.count < everything.count {
                printError("replay: \(everything.count - old.count) alerts of \(diff) start outside the recorded span \(result.span.map { "\($0.lowerBound) … \($0.upperBound)" } ?? "(empty)") and are not compared")
            }
            var out = StandardOutput()
            for change in d.changes { out.write(change.line + "\n") }
            out.write(d.summary + "\n")
            _ = out.flush()
        }
        for d in result.damage { printError("replay: damaged: \(d)") }
        if !result.damage.isEmpty { throw ExitCodes.runtimeFailure }
    }
}

/// Rewrites the progress line in place on a terminal (nil clears it).
private func printProgress(_ line: String?) {
    let text = "\r\u{1B}[K" + (line ?? "")
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { p in _ = write(2, p.baseAddress, p.count) }
}
