import Foundation
import Testing
import TinsenseCore
import TinsenseReplay
import TinsenseStorage
import TinsenseTestSupport

@Suite("recording files")
struct RecordingFormatTests {
    @Test("a recording reads back every message with topic, payload, QoS, retain flag and receive time, across rotated files")
    func roundTrip() throws {
        let dir = TemporaryDirectory("rec")
        let records = RecordingFixtures.records(count: 500)
        let recording = try RecordingFixtures.write(records, to: dir.path)
        #expect(try recording.files().count > 3, "files rotate by size")
        let read = Array(try recording.records())
        #expect(read == records)
    }

    @Test("--from and --to select receive times in [from, to) and start at the file that holds from")
    func timeRange() throws {
        let dir = TemporaryDirectory("rec")
        let records = RecordingFixtures.records(count: 500)
        let recording = try RecordingFixtures.write(records, to: dir.path)
        let from = records[200].receiveTime, to = records[300].receiveTime
        var reader = try recording.records(from: from, to: to)
        var got: [WALRecord] = []
        while let r = reader.next() { got.append(r) }
        #expect(got == Array(records[200..<300]))
        let files = try recording.files()
        let start = Recording.startFile(files, from: from)!
        let holding = files.last { $0.firstReceiveTime! <= from }!
        #expect(start == holding.number && start > files[0].number, "seeks past the files wholly before --from")
    }

    @Test("a recording truncated at any length never crashes the reader and keeps every message before the cut")
    func truncatedAnywhere() throws {
        let dir = TemporaryDirectory("rec")
        let records = RecordingFixtures.records(count: 40)
        let recording = try RecordingFixtures.write(records, to: dir.path, fileBytes: 1 << 20)
        let path = try recording.files()[0].path
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var previous = -1
        for length in Array(stride(from: 0, to: original.count, by: 7)) + [original.count] {
            try original.prefix(length).write(to: URL(fileURLWithPath: path))
            let read = Array(try recording.records())
            #expect(read == Array(records.prefix(read.count)), "at length \(length): a prefix of what was written")
            #expect(read.count >= previous, "a longer file never yields fewer messages")
            previous = read.count
        }
        #expect(previous == records.count)
    }

    @Test("bit flips in a recording file never crash the reader, keep what is before the damage and the files after it")
    func bitFlips() throws {
        var draws = SplitMix64(seed: 11)
        let records = RecordingFixtures.records(count: 300)
        for trial in 0..<60 {
            let dir = TemporaryDirectory("rec")
            let recording = try RecordingFixtures.write(records, to: dir.path, fileBytes: 8192)
            let files = try recording.files()
            let victim = files[draws.int(0...(files.count - 2))]
            var bytes = try Data(contentsOf: URL(fileURLWithPath: victim.path))
            let at = draws.int(0...(bytes.count - 1))
            bytes[at] ^= UInt8(1 << draws.int(0...7))
            try bytes.write(to: URL(fileURLWithPath: victim.path))
            var reader = try recording.records()
            var got: [WALRecord] = []
            while let r = reader.next() { got.append(r) }
            // Every message read is one that was written, in order; all messages of the last
            // file (after the damaged one) are still there.
            let lastFile = try readFile(recording, files.last!.number)
            #expect(isSubsequence(got, of: records), "trial \(trial): byte \(at) of file \(victim.number)")
            #expect(Array(got.suffix(lastFile.count)) == lastFile, "trial \(trial): the files after the damage are read on")
            #expect(got.count < records.count ? !reader.damage.isEmpty : true, "trial \(trial): a loss is reported as damage")
        }
    }

    private func readFile(_ recording: Recording, _ n: UInt32) throws -> [WALRecord] {
        var r = try WALReader.readOnly(walDirectory: recording.walDirectory, fromFile: n)
        var out: [WALRecord] = []
        while let e = r.next(), e.start.file == n { out.append(e.record) }
        return out
    }

    private func isSubsequence(_ a: [WALRecord], of b: [WALRecord]) -> Bool {
        var i = b.startIndex
        for x in a {
            guard let j = b[i...].firstIndex(of: x) else { return false }
            i = j + 1
        }
        return true
    }
}
