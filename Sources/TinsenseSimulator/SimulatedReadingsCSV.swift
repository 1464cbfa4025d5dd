import TinsenseCore

/// The readings of a simulated run as CSV `sensor,topic,timestamp,value` (RFC 3339 UTC, the
/// value exactly as the instrument sent it), in time order: a labelled recording for
/// `tinsense evaluate faults --readings` without a broker. Malformed payloads carry no
/// value and are left out.
package enum SimulatedReadingsCSV {
    package static let header = "sensor,topic,timestamp,value\n"

    /// Generates `durationMilliseconds` of `model` an hour of plant at a time, handing each
    /// hour's bytes (the header first) to `write`; returns the rows written.
    package static func write(_ model: PlantModel, durationMilliseconds: Int64, to write: ([UInt8]) throws -> Void) rethrows -> Int {
        var model = model
        var buffer = Array(header.utf8)
        var written = 0
        var done: Int64 = 0
        while done < durationMilliseconds {
            done = min(durationMilliseconds, done + 3_600_000)
            for message in model.messages(upTo: model.start.adding(milliseconds: done)) {
                if append(message, to: &buffer) { written += 1 }
            }
            try write(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
        try write(buffer)
        return written
    }

    /// Appends the row of `message`; false (nothing appended) when it carries no value.
    package static func append(_ message: SimulatedMessage, to buffer: inout [UInt8]) -> Bool {
        guard let value = message.sentValue else { return false }
        buffer += message.sensor.utf8
        buffer.append(UInt8(ascii: ","))
        buffer += message.topic.utf8
        buffer.append(UInt8(ascii: ","))
        buffer += RFC3339.format(message.time).utf8
        buffer.append(UInt8(ascii: ","))
        buffer += value.description.utf8
        buffer.append(UInt8(ascii: "\n"))
        return true
    }
}
