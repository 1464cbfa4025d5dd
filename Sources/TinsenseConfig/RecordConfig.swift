import TOMLKit

extension Config {
    /// `[record]`: the daemon's raw-stream archive (docs/REPLAY.md): the received messages,
    /// byte for byte, kept beyond the WAL's life as a recording `tinsense replay` reads.
    package struct Record: Sendable {
        package var enabled = false
        /// The recording directory; nil = `<data_dir>/record`. Must be on the data
        /// directory's file system (WAL files are hard-linked in, never copied).
        package var directory: String?
        /// Files whose messages are all older than this are deleted (0 = no age limit).
        package var retentionHours = 168.0
        /// The oldest files are deleted while the archive is larger (0 = no size limit).
        package var maxGB = 50.0
        package init() {}
    }
}

extension TableReader {
    func readRecord(_ root: TOMLTable, into c: inout Config) {
        guard let t = section(root, "record") else { return }
        var s = Section(reader: self, table: t, path: "record")
        c.record.enabled = s.bool("enabled", default: c.record.enabled)
        let dir = s.string("dir", default: "")
        c.record.directory = dir.isEmpty ? nil : dir
        c.record.retentionHours = s.double("retention_hours", default: c.record.retentionHours, min: 0, max: 876_000)
        c.record.maxGB = s.double("max_gb", default: c.record.maxGB, min: 0, max: 1e6)
        s.finish()
    }
}
