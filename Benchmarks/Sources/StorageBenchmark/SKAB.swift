#if canImport(Glibc)
import Glibc
#endif
import TinsenseCore
import TinsenseEncoding
import TinsenseStorage
import TinsenseSystem

/// The SKAB files as series: one per (file, sensor column), values kept as the CSV text.
struct SKABSeries {
    var sensor: String
    var times: [Int64]
    var texts: [String]
}

enum SKAB {
    static let labels = ["anomaly", "changepoint"]

    static func csvFiles(_ root: String) -> [String] {
        var out: [String] = []
        func walk(_ dir: String) {
            guard let entries = try? PosixIO.listDirectory(dir) else { return }
            for e in entries.sorted() {
                let p = dir + "/" + e
                if e.hasSuffix(".csv") { out.append(p) } else if !e.contains(".") { walk(p) }
            }
        }
        walk(root)
        return out
    }

    /// Reads every sensor column of every file (labels excluded), as the import names them
    /// with the prefix `skab/{dir}/{file}/`.
    static func load(_ root: String) throws -> [SKABSeries] {
        var all: [SKABSeries] = []
        for path in csvFiles(root) {
            let fd = try PosixIO.open(path, flags: 0)
            let size = try PosixIO.fileSize(fd)
            let bytes = try PosixIO.read(fd, count: Int(size), at: 0)
            _ = close(fd)
            let lines = bytes.split(separator: 0x0A).map { String(decoding: $0.last == 0x0D ? $0.dropLast() : $0, as: UTF8.self) }
            let header = lines[0].split(separator: ";").map(String.init)
            let parts = path.split(separator: "/")
            let prefix = "skab/\(parts[parts.count - 2])/\(parts.last!.split(separator: ".")[0])/"
            var series = header.enumerated().filter { $0.offset > 0 && !labels.contains($0.element) }
                .map { (index: $0.offset, s: SKABSeries(sensor: prefix + $0.element, times: [], texts: [])) }
            for line in lines.dropFirst() where !line.isEmpty {
                let cells = line.split(separator: ";", omittingEmptySubsequences: false)
                guard let t = RFC3339.parse(cells[0], allowMissingZone: true) else { continue }
                for k in series.indices {
                    series[k].s.times.append(t.millisecondsSinceEpoch)
                    series[k].s.texts.append(String(cells[series[k].index]))
                }
            }
            all += series.map(\.s)
        }
        return all
    }
}
