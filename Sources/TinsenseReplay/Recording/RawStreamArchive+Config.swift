import Logging
import TinsenseConfig

extension RawStreamArchive {
    /// The archive `[record]` describes, on `daemon.data_dir`.
    package convenience init(config: Config, logger: Logger) throws {
        let data = config.daemon.dataDirectory
        try self.init(directory: config.record.directory ?? data + "/record", dataDirectory: data,
                      retentionHours: config.record.retentionHours, maxGB: config.record.maxGB, logger: logger)
    }
}
