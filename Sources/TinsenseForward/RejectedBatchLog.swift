#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseSystem

/// `<data>/forward/rejected.jsonl`: one JSON line per batch VictoriaMetrics refused with a
/// 4xx that blames the batch (docs/FORWARDING.md). The readings stay in local storage; the
/// line says which ones (count, source-time span, first sensors) and what the database
/// answered, so an operator can fix the cause and back-fill.
///
/// Bounded: beyond `maxBytes` the file becomes `rejected.jsonl.1` (the previous `.1` is
/// deleted) and a new one starts.
final class RejectedBatchLog {
    let path: String
    let maxBytes: Int

    init(directory: String, maxBytes: Int = 16 << 20) {
        path = directory + "/rejected.jsonl"
        self.maxBytes = maxBytes
    }

    /// The line for one refused batch (no newline); `request` is the body that was sent.
    static func line(time: Timestamp, status: Int, response: String, readings: [Reading], request: [UInt8]) -> String {
        let first = readings.map(\.sourceTime).min(), last = readings.map(\.sourceTime).max()
        var sensors: [String] = []
        for r in readings where sensors.count < 10 && !sensors.contains(r.sensor) { sensors.append(r.sensor) }
        let excerpt = String(decoding: request.prefix(HTTPPoster.bodyExcerptBytes), as: UTF8.self)
        var out = "{\"time\":\"\(time)\",\"status\":\(status),\"response\":\(JSONString.quoted(response))"
        out += ",\"readings\":\(readings.count)"
        out += ",\"first_source_time\":\(first.map { "\"\($0)\"" } ?? "null"),\"last_source_time\":\(last.map { "\"\($0)\"" } ?? "null")"
        out += ",\"sensors\":[\(sensors.map(JSONString.quoted).joined(separator: ","))]"
        out += ",\"request_excerpt\":\(JSONString.quoted(excerpt))}"
        return out
    }

    /// Appends `line`, rotating first when the file would pass its bound.
    func append(_ line: String) throws {
        let bytes = Array((line + "\n").utf8)
        var st = stat()
        if stat(path, &st) == 0, Int(st.st_size) + bytes.count > maxBytes {
            try PosixIO.rename(path, path + ".1")
        }
        let fd = try PosixIO.open(path, flags: O_WRONLY | O_CREAT | O_APPEND)
        defer { PosixIO.close(fd) }
        try PosixIO.appendAll(fd, bytes)
    }
}
