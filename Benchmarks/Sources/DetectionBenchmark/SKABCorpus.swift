import Foundation
import TinsenseCore

/// SKAB's channels as single series, read in place: file k contributes channels k mod 8 and
/// (k + 4) mod 8 (a fixed rotation, not chosen by results), labelled with the file's anomaly
/// onsets; even files tune, odd files are held aside.
enum SKABCorpus {
    static func load(_ root: String) -> [LabelledSeries] {
        var paths: [String] = []
        for dir in ["valve1", "valve2", "other"] {
            let d = root + "/" + dir
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: d)) ?? []).filter { $0.hasSuffix(".csv") }
            paths += names.sorted { Int($0.dropLast(4)) ?? 0 < Int($1.dropLast(4)) ?? 0 }.map { d + "/" + $0 }
        }
        var out: [LabelledSeries] = []
        for (k, path) in paths.enumerated() {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            guard let header = lines.first?.split(separator: ";").map({ String($0).trimmingCharacters(in: .whitespaces) }),
                  let anomalyColumn = header.firstIndex(of: "anomaly") else { continue }
            let channelColumns = header.indices.filter { $0 != 0 && header[$0] != "anomaly" && header[$0] != "changepoint" }
            var times: [Int64] = [], anomaly: [Bool] = []
            var channels = [[Double]](repeating: [], count: channelColumns.count)
            for line in lines.dropFirst() {
                let f = line.split(separator: ";", omittingEmptySubsequences: false)
                guard f.count == header.count, let t = RFC3339.parse(f[0], allowMissingZone: true) else { continue }
                times.append(t.millisecondsSinceEpoch)
                anomaly.append((Double(f[anomalyColumn].trimmingCharacters(in: .whitespaces)) ?? 0) >= 0.5)
                for (c, col) in channelColumns.enumerated() { channels[c].append(Double(f[col].trimmingCharacters(in: .whitespaces)) ?? .nan) }
            }
            var events: [Int] = []
            for i in anomaly.indices where anomaly[i] && (i == 0 || !anomaly[i - 1]) { events.append(i) }
            let name = path.split(separator: "/").suffix(2).joined(separator: "/")
            for c in [k % 8, (k + 4) % 8] where c < channels.count {
                out.append(LabelledSeries(name: "skab/\(name):\(header[channelColumns[c]])", kind: "skab", times: times,
                                          values: channels[c], events: events, test: k % 2 == 1))
            }
        }
        return out
    }
}
