import Testing
import TinsenseConfig

/// Inputs that crashed a libFuzzer target (scripts/fuzz.sh, docs/RELIABILITY.md "Fuzzing"),
/// fed byte for byte to the code that crashed. Each must now give a `ConfigError`.
@Suite("fuzz regressions: config loader")
struct ConfigFuzzRegressionTests {
    /// FuzzConfigLoader crash-f00e726831b7f1f4a0e99adebfc047b0cd80ffa9 (the seed
    /// Fuzz/corpus/config/seed-stale-0.toml): `nan` in `stale_after_s` and `period_s` traps in
    /// a conversion (finding 5).
    @Test("stale_after_s = nan and period_s = nan give a ConfigError naming FILE:LINE, not a trap")
    func nanPeriods() throws {
        let text = """
        [daemon]
        data_dir = "/tmp/x"
        [mqtt]
        broker = "mqtt://127.0.0.1:1883"
        subscribe = ["test/#"]
        [storage]
        fsync_interval_ms = 50
        [[sensor]]
        topic = "test/{line}/{sensor}"
        id = "{line}/{sensor}"
        unit = "u"
        range = [0, 100]
        stale_after_s = nan
        period_s = nan

        """
        #expect(Array(text.utf8).count == 0xFD, "the exact bytes of the crashing input")
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse(text, file: "fuzz.toml") }
        #expect(error?.description.contains("fuzz.toml:13") == true, "\(String(describing: error))")
    }
}
