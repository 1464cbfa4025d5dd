import Foundation

/// The SKAB benchmark as it lies on disk: every `*.csv` under one folder (valve1/, valve2/,
/// other/, anomaly-free/), parsed, in an order that does not depend on the file system.
package struct SKABDataSet: Sendable {
    package struct File: Sendable {
        package var path: String
        package var record: SKABFile

        package init(path: String, record: SKABFile) {
            self.path = path
            self.record = record
        }
    }

    package var files: [File]
    package var rowCount: Int { files.reduce(0) { $0 + $1.record.times.count } }

    package init(files: [File]) { self.files = files }

    /// Reads and parses every CSV file under `folder`.
    /// - Throws: `SKABDataSetError` when there is none, or naming the first that does not parse.
    package init(folder: String) throws(SKABDataSetError) {
        let paths = Self.csvPaths(in: folder)
        guard !paths.isEmpty else { throw .noFiles(folder: folder) }
        var files: [File] = []
        for path in paths {
            do {
                files.append(File(path: path, record: try SKABFile(text: String(contentsOfFile: path, encoding: .utf8))))
            } catch {
                throw .unreadable(path: path, reason: "\(error)")
            }
        }
        self.files = files
    }

    /// Paths of the `*.csv` files under `folder`, in numeric order inside folders (`2.csv`
    /// before `10.csv`), so a table does not depend on directory order.
    package static func csvPaths(in folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var out: [String] = []
        while let rel = walker.nextObject() as? String {
            if rel.hasSuffix(".csv") { out.append(folder + "/" + rel) }
        }
        return out.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
    }
}

package enum SKABDataSetError: Error, Sendable, Hashable, CustomStringConvertible {
    case noFiles(folder: String)
    case unreadable(path: String, reason: String)

    package var description: String {
        switch self {
        case .noFiles(let folder): "no CSV files under \(folder)"
        case .unreadable(let path, let reason): "\(path): \(reason)"
        }
    }
}
