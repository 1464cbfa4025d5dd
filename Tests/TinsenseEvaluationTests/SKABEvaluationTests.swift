import Foundation
import Testing
import TinsenseTestSupport
import TinsenseDetect
@testable import TinsenseEvaluation

@Suite("SKAB data set and table")
struct SKABEvaluationTests {
    /// A SKAB-shaped file: two channels at 1 Hz, a step on both labelled as the anomaly.
    static func skabText(rows: Int, anomalyFrom: Int) -> String {
        var text = "datetime;A;B;anomaly;changepoint\n"
        let a = noise(count: rows, seed: 5), b = noise(count: rows, seed: 6)
        for i in 0..<rows {
            let step = i >= anomalyFrom ? 10.0 : 0
            text += "2020-03-09 10:\(String(format2: i / 60 % 60)):\(String(format2: i % 60));\(a[i] + step);\(b[i] + step);\(i >= anomalyFrom ? "1.0" : "0.0");0.0\n"
        }
        return text
    }

    static func folder(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("skab-\(UUID().uuidString)").path
        for (name, text) in files {
            let path = dir + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test("files are found under subfolders in numeric order, and every row is counted")
    func dataSet() throws {
        let text = Self.skabText(rows: 30, anomalyFrom: 20)
        let dir = try Self.folder(["valve1/10.csv": text, "valve1/2.csv": text, "notes.txt": "not data"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let set = try SKABDataSet(folder: dir)
        #expect(set.files.map(\.path) == [dir + "/valve1/2.csv", dir + "/valve1/10.csv"])
        #expect(set.rowCount == 60)
        #expect(set.files[0].record.channelNames == ["A", "B"])
    }

    @Test("no CSV files, or one that does not parse, is an error naming the folder or file")
    func dataSetErrors() throws {
        let empty = try Self.folder(["readme.txt": "x"])
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: SKABDataSetError.noFiles(folder: empty)) { try SKABDataSet(folder: empty) }
        let bad = try Self.folder(["1.csv": "time,value\n"])
        defer { try? FileManager.default.removeItem(atPath: bad) }
        do {
            _ = try SKABDataSet(folder: bad)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "\(bad)/1.csv: header 'time,value' does not start with datetime")
        }
    }

    @Test("a table row gives point and event metrics at the threshold and the oracle thresholds")
    func row() throws {
        var set = ScoredSeriesSet()
        set.series.append(.init(name: "s", scores: [0.1, 0.2, 0.9, 0.8, 0.1, 0.6], labels: [false, false, true, true, false, false]))
        let evaluation = SKABEvaluation(dataSet: SKABDataSet(files: []), threshold: 0.5)
        // At 0.5: 2 true, 1 false alarm, no miss; onsets: one inside the window, one outside.
        #expect(evaluation.row("x", set) == "| x | 0.667 | 1.000 | 0.800 | 0.667 | 1/1 | 1.000 (0.61) | 1.000 (0.61) |")
    }

    @Test("a step on every channel of a labelled file is caught by the default set and by the baseline")
    func stepIsCaught() throws {
        let dir = try Self.folder(["1.csv": Self.skabText(rows: 1200, anomalyFrom: 1000)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let evaluation = SKABEvaluation(dataSet: try SKABDataSet(folder: dir), threshold: 0.5)
        #expect(evaluation.scores(spec: .default).eventCounts(threshold: 0.5).trueOnsets >= 1)
        #expect(evaluation.baselineScores().eventCounts(threshold: 0.5).trueOnsets >= 1)
        #expect(SKABEvaluation.tableHeader.count == 2)
    }
}
