/// A 64-bit FNV-1a hash of a unit string: what the validator remembers per unit, so that the
/// per-sensor unit bound costs 8 bytes a unit however long the units a device sends are.
/// Deterministic (no per-process seed), so a validator's verdicts are reproducible.
enum UnitHash {
    static func of(_ unit: String?) -> UInt64 {
        guard let unit else { return 0 }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in unit.utf8 {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01b3
        }
        // 0 stands for "no unit"; a real unit that hashes to 0 moves aside.
        return h == 0 ? 1 : h
    }
}
