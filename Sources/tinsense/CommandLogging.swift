#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Loggers for the one-shot storage commands: warnings and worse to stderr.
enum CommandLogging {
    static func logger(_ label: String) -> Logger {
        var l = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        l.logLevel = .warning
        return l
    }

    /// The levels `daemon.log_level` and `run --log-level` accept.
    static let levelNames = Logger.Level.allCases.map(\.rawValue)

    /// Sends every logger of `tinsense run` to stderr at `level`, in the journal layout when
    /// stderr is the journal's stream (see `DaemonLogHandler.Layout.detect`).
    static func bootstrapDaemon(level: Logger.Level, environment: [String: String]) {
        let layout = DaemonLogHandler.Layout.detect(environment: environment)
        LoggingSystem.bootstrap { label in
            DaemonLogHandler(label: label, layout: layout, logLevel: level)
        }
    }
}

/// The daemon's log lines on stderr, one write per line.
///
/// In a terminal or a file each line starts with a timestamp, as swift-log's
/// `StreamLogHandler` writes it. Under systemd, stderr is a stream to journald, which stamps
/// every line itself; a second timestamp would only clutter `journalctl`. So there the line has
/// none, and starts instead with the syslog priority (`<3>` for error … `<7>` for debug), which
/// journald turns into the entry's PRIORITY, so `journalctl -p warning -u tinsense` works.
/// The rest of the line (`level label: key=value [module] message`) is the same in both.
struct DaemonLogHandler: LogHandler {
    enum Layout: Equatable {
        case timestamped
        case journal

        /// `.journal` when `$JOURNAL_STREAM` ("DEVICE:INODE", set by systemd) names the file
        /// stderr is now: a daemon started by a unit whose stderr was redirected elsewhere,
        /// or a child that inherited the variable, keeps timestamps.
        static func detect(environment: [String: String]) -> Layout {
            guard let value = environment["JOURNAL_STREAM"] else { return .timestamped }
            let parts = value.split(separator: ":")
            guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return .timestamped }
            var st = stat()
            guard fstat(2, &st) == 0 else { return .timestamped }
            return UInt64(st.st_dev) == device && UInt64(st.st_ino) == inode ? .journal : .timestamped
        }
    }

    let label: String
    let layout: Layout
    var logLevel: Logger.Level
    var metadata = Logger.Metadata()
    var metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider

    init(label: String, layout: Layout, logLevel: Logger.Level) {
        self.label = label
        self.layout = layout
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let explicit = event.metadata { all.merge(explicit) { $1 } }
        if let error = event.error { all["error.message"] = "\(error)" }
        let pairs = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let body = "\(event.level) \(label):\(pairs.isEmpty ? "" : " " + pairs) [\(event.source)] \(event.message)"
        switch layout {
        case .timestamped:
            DaemonLogHandler.write("\(DaemonLogHandler.timestamp()) \(body)\n")
        case .journal:
            // A newline would start a new journal entry without the priority.
            let oneLine = body.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\\n")
            DaemonLogHandler.write("<\(DaemonLogHandler.syslogPriority(event.level))>\(oneLine)\n")
        }
    }

    /// The syslog(3) priority of a level (swift-log's trace and debug are both LOG_DEBUG).
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Local time as StreamLogHandler writes it, e.g. `2026-03-01T12:00:00+0000`.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { p in
            var done = 0
            while done < p.count {
                let n = Glibc.write(2, p.baseAddress! + done, p.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                done += n
            }
        }
    }
}
