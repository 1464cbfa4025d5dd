import TinsenseCore

/// Decodes an MQTT payload into measurement items. Pure: bytes in, values out.
///
/// Shapes: a JSON object (`{"value": 7.14, "ts": "2026-11-27T03:37:11.250Z", "unit": "[pH]",
/// "quality": "good"}`), a JSON array of such objects (a batch), or a bare number (`7.14`).
/// The fast scanner handles the common flat shapes; everything else goes through
/// Foundation. Both feed the same `ItemInterpreter`, so they agree on meaning.
package enum PayloadDecoder {
    package enum Outcome: Sendable, Equatable {
        /// One result per item (a single object or number gives one); an item can fail alone.
        case items([Result<DecodedItem, DecodeFailure>])
        /// The whole payload was rejected.
        case failure(DecodeFailure)
    }

    /// Which path decoded a payload (for the comparison test and metrics).
    package enum Path: Sendable { case scanner, foundation }

    package static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits = DecodeLimits()) -> Outcome {
        decode(bytes, limits: limits, path: nil).0
    }

    package static func decode(_ bytes: [UInt8], limits: DecodeLimits = DecodeLimits()) -> Outcome {
        bytes.withUnsafeBytes { decode($0, limits: limits) }
    }

    /// Decodes with a forced path (nil = scanner, then Foundation when the scanner declines);
    /// returns the path actually used.
    package static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits, path: Path?) -> (Outcome, Path) {
        if let refusal = envelopeFailure(bytes, limits) { return (.failure(refusal), .scanner) }
        if path != .foundation, let shape = FlatJSONScanner.scan(bytes) {
            switch shape {
            case .object(let f): return (.items([ItemInterpreter.item(from: f)]), .scanner)
            case .plain(let v): return (.items([ItemInterpreter.item(from: ["value": v])]), .scanner)
            case .array(let objects):
                if let failure = batchFailure(objects.count, limits) { return (.failure(failure), .scanner) }
                return (.items(objects.map(ItemInterpreter.item(from:))), .scanner)
            }
        }
        switch FoundationFallback.parse(bytes) {
        case .failure(let f):
            return (.failure(f), .foundation)
        case .success(.object(let f)):
            return (.items([ItemInterpreter.item(from: f)]), .foundation)
        case .success(.plain(let v)):
            return (.items([ItemInterpreter.item(from: ["value": v])]), .foundation)
        case .success(.array(let objects)):
            if let failure = batchFailure(objects.count, limits) { return (.failure(failure), .foundation) }
            return (.items(objects.map { $0.flatMap(ItemInterpreter.item(from:)) }), .foundation)
        }
    }

    /// `decode`, item by item: hands each item's result (with its index) to `body` in order and
    /// returns the failure of the whole payload, if any, without building an array per message
    /// (one allocation per reading, and its release, on the daemon's path). Same items, same
    /// order, same failures as `decode`.
    package static func decodeEach(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits,
                                   _ body: (Int, Result<DecodedItem, DecodeFailure>) -> Void) -> DecodeFailure? {
        if let refusal = envelopeFailure(bytes, limits) { return refusal }
        if let shape = FlatJSONScanner.scan(bytes) {
            switch shape {
            case .object(let f): body(0, ItemInterpreter.item(from: f))
            case .plain(let v): body(0, ItemInterpreter.item(from: ["value": v]))
            case .array(let objects):
                if let failure = batchFailure(objects.count, limits) { return failure }
                for (i, o) in objects.enumerated() { body(i, ItemInterpreter.item(from: o)) }
            }
            return nil
        }
        switch decode(bytes, limits: limits, path: .foundation).0 {
        case .failure(let f): return f
        case .items(let results):
            for (i, r) in results.enumerated() { body(i, r) }
            return nil
        }
    }

    /// What every format refuses before looking inside: a payload over `max_payload_bytes`,
    /// or an empty one.
    package static func envelopeFailure(_ bytes: UnsafeRawBufferPointer, _ limits: DecodeLimits) -> DecodeFailure? {
        if bytes.count > limits.maxPayloadBytes {
            return DecodeFailure(.tooLarge, "payload of \(bytes.count) bytes exceeds max_payload_bytes = \(limits.maxPayloadBytes)")
        }
        if bytes.isEmpty { return DecodeFailure(.malformed, "empty payload") }
        return nil
    }

    static func batchFailure(_ count: Int, _ limits: DecodeLimits) -> DecodeFailure? {
        if count == 0 { return DecodeFailure(.malformed, "empty batch") }
        if count > limits.maxBatch {
            return DecodeFailure(.tooLarge, "batch of \(count) items exceeds max_batch = \(limits.maxBatch)")
        }
        return nil
    }
}
