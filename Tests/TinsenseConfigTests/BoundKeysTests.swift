import Testing
import TinsenseConfig
import TinsenseValidate

/// The bounds of issue 9, finding 6: `max_series`, `max_units_per_series`, quarantine rotation.
@Suite("Config bound keys")
struct BoundKeysTests {
    static func config(_ extra: String) -> String {
        """
        [validation]
        \(extra)

        [[sensor]]
        topic = "rel/{a}/{b}"
        id = "{a}/{b}"
        """
    }

    static func issues(_ text: String) -> [ConfigIssue] {
        do {
            _ = try ConfigLoader.parse(text, file: "bounds.toml")
            return []
        } catch {
            return error.issues
        }
    }

    @Test("defaults are sized for a large plant and reach the validation policy")
    func defaults() throws {
        let c = try ConfigLoader.parse(Self.config(""), file: "bounds.toml")
        #expect(c.validation.maxSeries == 50_000)
        #expect(c.validation.maxUnitsPerSeries == 16)
        #expect(c.storage.quarantineMaxMB == 64)
        #expect(c.storage.quarantineKeep == 10)
        #expect(c.validationPolicy.maxSeries == 50_000)
        #expect(c.validationPolicy.maxUnitsPerSeries == 16)
    }

    @Test("set values are read")
    func setValues() throws {
        let c = try ConfigLoader.parse(Self.config("max_series = 200\nmax_units_per_series = 3")
            + "\n[storage]\nquarantine_max_mb = 5\nquarantine_keep = 2\n", file: "bounds.toml")
        #expect(c.validationPolicy.maxSeries == 200)
        #expect(c.validationPolicy.maxUnitsPerSeries == 3)
        #expect(c.storage.quarantineMaxMB == 5)
        #expect(c.storage.quarantineKeep == 2)
    }

    @Test("out-of-range values are FILE:LINE errors", arguments: [
        ("max_series = 0", "validation.max_series"),
        ("max_units_per_series = 0", "validation.max_units_per_series"),
        ("max_units_per_series = 257", "validation.max_units_per_series"),
    ])
    func outOfRange(line: String, keyPath: String) throws {
        let found = Self.issues(Self.config(line))
        let issue = try #require(found.first, "no issue for \(line)")
        #expect(found.count == 1)
        #expect(issue.line == 2)
        #expect(issue.keyPath == keyPath)
        #expect(issue.file == "bounds.toml")
    }

    @Test("quarantine_keep = 0 is refused (rotation would delete lines at once)")
    func keepZero() throws {
        let found = Self.issues(Self.config("") + "\n[storage]\nquarantine_keep = 0\n")
        #expect(found.map(\.keyPath) == ["storage.quarantine_keep"])
    }
}
