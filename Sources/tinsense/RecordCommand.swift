import ArgumentParser
import TinsenseCore
import TinsenseMQTT
import TinsenseReplay

/// `tinsense record`: capture a raw MQTT stream into a recording without the pipeline.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Capture raw MQTT messages into a recording directory (no pipeline).",
        discussion: """
        Subscribes with a persistent session (client id from the output path unless
        --client-id) and appends each message (topic, payload bytes, QoS, retain flag, receive
        time) to DIR/wal/ before acknowledging it, fsyncing every --fsync-ms: a crash loses
        nothing acknowledged, and running the same command again resumes the session. Files
        rotate at --file-max-mb. Format: docs/FORMAT.md, "Recordings"; workflow: docs/REPLAY.md.

          tinsense record --broker mqtt://127.0.0.1:1883 --topic 'tinmine/#' --out incident-0412 --duration 2h

        A site broker with TLS and a password (the daemon's [mqtt] tls_* and password_file
        settings, as options; the password only from a file private to its owner):
          tinsense record --broker mqtts://broker.plant:8883 --tls-ca-file /etc/tinsense/ca.crt \
            --username rnd --password-file ~/.config/tinsense/mqtt-password --topic 'tinmine/#' --out incident-0412

        Ctrl-C or SIGTERM stops cleanly (exit 0). Exit 1 when the broker or the disk fails
        (a failed TLS handshake or a refused login 3 times in a row, about 3 s, is a failure:
        it is named, not retried for ever), 2 for usage errors.
        """
    )

    @Option(help: "The broker (mqtt://host:port, or mqtts://host:port for TLS).")
    var broker: String

    @OptionGroup(title: "TLS and credentials")
    var login: BrokerLoginOptions

    @Option(name: .customLong("topic"), help: "A topic filter to subscribe to (repeatable).")
    var topics: [String] = []

    @Option(help: "The recording directory (created; an existing recording is continued).")
    var out: String

    @Option(help: "Stop after this long (30s, 10m, 2h); default: until Ctrl-C.")
    var duration: String?

    @Option(help: "Subscription QoS (0 or 1; 1 is what makes the recording durable).")
    var qos: Int = 1

    @Option(name: .customLong("client-id"), help: "MQTT client id of the persistent session.")
    var clientID: String?

    @Option(name: .customLong("file-max-mb"), help: "Start a new file at this size.")
    var fileMaxMB: Int = 64

    @Option(name: .customLong("fsync-ms"), help: "Group-commit interval (ms).")
    var fsyncMs: Int = 200

    func validate() throws {
        if topics.isEmpty { throw usageError("record", "at least one --topic is needed") }
        if let d = duration, DurationText.milliseconds(d) == nil { throw usageError("record", "--duration: cannot read \"\(d)\"") }
        if !(0...1).contains(qos) { throw usageError("record", "--qos must be 0 or 1") }
        if !(1...4096).contains(fileMaxMB) { throw usageError("record", "--file-max-mb must be 1…4096") }
        if !(1...60_000).contains(fsyncMs) { throw usageError("record", "--fsync-ms must be 1…60000") }
    }

    func run() throws {
        let options = RecordOptions(
            connection: try login.connection(broker, option: "--broker", command: "record"), topics: topics, directory: out,
            durationMs: duration.flatMap(DurationText.milliseconds), qos: qos, clientID: clientID,
            fileMaxBytes: fileMaxMB << 20, fsyncIntervalMs: fsyncMs
        )
        let stop = TinsenseReplay.StopRequest()
        do {
            let s = try StreamRecorder(options: options, logger: CommandLogging.logger("tinsense.record")).run(stop: stop)
            printError("record: \(s.messages) messages in \(Int(s.seconds)) s into \(out) (client id \(options.clientID))")
        } catch {
            printError("record: \(error)")
            throw ExitCodes.runtimeFailure
        }
    }
}
