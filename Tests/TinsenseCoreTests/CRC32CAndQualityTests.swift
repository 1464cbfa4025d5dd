import CCRC32C
import Testing
import TinsenseCore

/// Bit-at-a-time reference implementation of CRC-32C, independent of the table code.
private func referenceCRC32C(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        c ^= UInt32(b)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
    }
    return ~c
}

@Suite("CRC-32C")
struct CRC32CTests {
    @Test("known test vectors (RFC 3720 B.4 and the check value)")
    func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        #expect(CRC32C.checksum(Array("a".utf8)) == 0xC1D0_4330)
    }

    @Test("chaining over any split equals the checksum of the whole")
    func chaining() {
        let data = Array("The quick brown fox jumps over the lazy dog, twice over.".utf8)
        let whole = CRC32C.checksum(data)
        for split in 0...data.count {
            let first = CRC32C.checksum(data[..<split])
            #expect(CRC32C.checksum(data[split...], continuing: first) == whole, "split \(split)")
        }
        // Three parts.
        let a = CRC32C.checksum(data[..<5])
        let b = CRC32C.checksum(data[5..<17], continuing: a)
        #expect(CRC32C.checksum(data[17...], continuing: b) == whole)
    }

    @Test("slicing-by-8 matches a bitwise reference for every length and alignment")
    func matchesReference() {
        var rng = SplitMix64(seed: 0xC5C)
        let pool = (0..<300).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for offset in 0..<8 {
            for length in 0..<(pool.count - 8) where length % 3 == 0 || length < 40 {
                let slice = Array(pool[offset..<(offset + length)])
                let viaSlice = pool[offset..<(offset + length)]
                #expect(CRC32C.checksum(slice) == referenceCRC32C(slice))
                #expect(CRC32C.checksum(viaSlice) == referenceCRC32C(slice))
            }
        }
    }

    @Test("the CPU instruction (SSE 4.2) and the portable tables agree with the reference for every length, alignment and chain")
    func hardwareMatchesTables() {
        #expect(CRC32C.usesHardware == (tinsense_crc32c_hardware() != 0))
        var rng = SplitMix64(seed: 0x5E42)
        let pool = (0..<4_200).map { _ in UInt8.random(in: 0...255, using: &rng) }
        pool.withUnsafeBytes { all in
            for offset in 0..<9 {
                for length in Array(0..<70) + [127, 128, 129, 1_000, 4_096] {
                    let part = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                    let reference = referenceCRC32C(Array(part))
                    #expect(CRC32C.tableChecksum(part) == reference, "tables, offset \(offset), length \(length)")
                    #expect(CRC32C.checksum(part) == reference, "checksum, offset \(offset), length \(length)")
                    if CRC32C.usesHardware {
                        #expect(tinsense_crc32c_sse42(0, part.baseAddress, part.count) == reference)
                        let seed = CRC32C.tableChecksum(UnsafeRawBufferPointer(rebasing: all[0..<13]))
                        #expect(tinsense_crc32c_sse42(seed, part.baseAddress, part.count) == CRC32C.tableChecksum(part, continuing: seed))
                    }
                }
            }
        }
    }

    @Test("non-contiguous collections and raw buffers give the same checksum")
    func collectionKinds() {
        let zeros = repeatElement(UInt8(0), count: 32)
        #expect(CRC32C.checksum(zeros) == 0x8A91_36AA)
        let bytes = Array("123456789".utf8)
        #expect(bytes.withUnsafeBytes { CRC32C.checksum($0) } == 0xE306_9283)
        #expect(CRC32C.checksum("123456789".utf8) == 0xE306_9283)
    }

    @Test("a single flipped bit changes the checksum")
    func detectsFlips() {
        var data = Array("tin/plant1/flotation/cell3/level 42.5".utf8)
        let good = CRC32C.checksum(data)
        for i in 0..<data.count {
            for bit in 0..<8 {
                data[i] ^= 1 << bit
                #expect(CRC32C.checksum(data) != good)
                data[i] ^= 1 << bit
            }
        }
    }
}

@Suite("Quality codes and names")
struct QualityTests {
    @Test("192 is good and 500 is stale (OPC DA / Sparkplug codes)")
    func specialCodes() {
        #expect(Quality(code: 192) == .good)
        #expect(Quality(code: 500) == .stale)
    }

    @Test("other codes use the OPC UA severity bits 31–30", arguments: [
        (UInt64(0), Quality.good),
        (0x0000_0001, .good),
        (0x002D_0000, .good),               // Good_SubscriptionTransferred
        (0x4000_0000, .uncertain),           // Uncertain
        (0x408F_0000, .uncertain),           // Uncertain_SensorNotAccurate... family
        (0x7FFF_FFFF, .uncertain),
        (0x8000_0000, .bad),                 // Bad
        (0x8035_0000, .bad),                 // Bad_NodeIdUnknown family
        (0xC000_0000, .bad),                 // 11: reserved, treated as bad
        (0xFFFF_FFFF, .bad),
        (193, .good),
        (499, .good),
    ])
    func severityBits(code: UInt64, expected: Quality) {
        #expect(Quality(code: code) == expected)
    }

    @Test("names are case-insensitive and 'ok' means good")
    func names() {
        #expect(Quality(name: "good") == .good)
        #expect(Quality(name: "GOOD") == .good)
        #expect(Quality(name: "ok") == .good)
        #expect(Quality(name: "Uncertain") == .uncertain)
        #expect(Quality(name: "bad") == .bad)
        #expect(Quality(name: "STALE") == .stale)
        #expect(Quality(name: "fine") == nil)
        #expect(Quality(name: "") == nil)
        for q in Quality.allCases {
            #expect(Quality(name: q.description) == q)
        }
    }

    @Test("worst orders bad over stale over uncertain over good, symmetrically")
    func worst() {
        let order: [Quality] = [.good, .uncertain, .stale, .bad]
        for (i, a) in order.enumerated() {
            for (j, b) in order.enumerated() {
                let expected = order[max(i, j)]
                #expect(a.worst(b) == expected)
                #expect(b.worst(a) == expected)
            }
        }
    }

    @Test("reject reason codes are the stable snake_case strings")
    func rejectReasonCodes() {
        #expect(RejectReason.allCases.map(\.description) == [
            "malformed", "nan", "out_of_range", "rate_of_change", "clock_skew",
            "duplicate", "out_of_order", "unknown_sensor", "too_large",
            "unit_limit", "series_limit", "sensor_id_too_long", "unit_too_long", "unreadable_chunk", "bad_value", "storage_refused",
            "unknown_metric", "not_born", "not_numeric",
        ])
    }
}
