import TinsenseCore

/// One SKAB experiment file (semicolon CSV: `datetime`, sensor channels, `anomaly`,
/// `changepoint`), parsed for evaluation.
package struct SKABFile: Sendable {
    package var channelNames: [String]
    /// Milliseconds since the epoch per row.
    package var times: [Int64]
    /// `channels[c][row]`.
    package var channels: [[Double]]
    package var anomaly: [Bool]

    /// - Throws: `SKABFileError` naming the line that does not parse.
    package init(text: String) throws(SKABFileError) {
        var lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).makeIterator()
        guard let header = lines.next() else { throw .empty }
        let names = header.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: " \r") }
        // The anomaly-free file has no label columns: every row is normal.
        guard names.first == "datetime" else { throw .badHeader(String(header)) }
        let anomalyColumn = names.firstIndex(of: "anomaly")
        let channelColumns = names.indices.filter { $0 != 0 && names[$0] != "anomaly" && names[$0] != "changepoint" }
        channelNames = channelColumns.map { names[$0] }
        times = []
        channels = Array(repeating: [], count: channelColumns.count)
        anomaly = []
        var lineNumber = 1
        while let line = lines.next() {
            lineNumber += 1
            let fields = line.split(separator: ";", omittingEmptySubsequences: false)
            guard fields.count == names.count,
                  let t = RFC3339.parse(fields[0].trimmingCharacters(in: " \r"), allowMissingZone: true),
                  let a = anomalyColumn.map({ Double(fields[$0].trimmingCharacters(in: " \r")) }) ?? 0 else {
                throw .badLine(lineNumber)
            }
            times.append(t.millisecondsSinceEpoch)
            anomaly.append(a >= 0.5)
            for (k, c) in channelColumns.enumerated() {
                channels[k].append(Double(fields[c].trimmingCharacters(in: " \r")) ?? .nan)
            }
        }
    }
}

package enum SKABFileError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case badHeader(String)
    case badLine(Int)

    package var description: String {
        switch self {
        case .empty: "empty file"
        case .badHeader(let h): "header '\(h)' does not start with datetime"
        case .badLine(let n): "line \(n) does not parse"
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
