import Testing
import TinsenseConfig
import TinsenseDecode
import TinsenseValidate

private func issues(_ text: String) -> [ConfigIssue] {
    do {
        _ = try ConfigLoader.parse(text, file: "t.toml")
        return []
    } catch {
        return error.issues
    }
}

/// `[[sensor]] format`, `metric`, `precision`.
@Suite("[[sensor]] format and metric")
struct PayloadKeysTests {
    @Test("format defaults to json; format, metric and precision are read")
    func read() throws {
        let config = try ConfigLoader.parse("""
            [[sensor]]
            topic = "plant/json/x"

            [[sensor]]
            topic = "plant/lp/#"
            format = "influx"
            metric = "flotation/*"
            precision = "ms"
            id = "{tag.cell}/{metric}"

            [[sensor]]
            topic = "spBv1.0/{group}/+/{node}/#"
            format = "sparkplug"
            id = "{group}/{node}/{metric}"

            [[sensor]]
            topic = "plant/auto/#"
            format = "auto"
            """, file: "t.toml")
        let specs = config.sensorSpecs
        #expect(specs.map(\.format) == [.json, PayloadFormat(.influx, precision: .milliseconds), PayloadFormat(.sparkplug), PayloadFormat(.auto)])
        #expect(specs[1].metric == MetricFilter("flotation/*"))
        #expect(specs[0].metric == nil)
    }

    @Test("refusals name the file and line of the key at fault", arguments: [
        // A format that is not one of the four.
        ("[[sensor]]\ntopic = \"a/b\"\nformat = \"xml\"\n", 3, "sensor[0].format", "is not one of"),
        // Sparkplug arrives on spBv1.0/..., which this pattern cannot match.
        ("[[sensor]]\ntopic = \"plant/#\"\nformat = \"sparkplug\"\n", 3, "sensor[0].format", "cannot match"),
        // JSON carries no metric: the filter could never match.
        ("[[sensor]]\ntopic = \"a/b\"\nmetric = \"x\"\n", 3, "sensor[0].metric", "carry no metric"),
        ("[[sensor]]\ntopic = \"a/b\"\nformat = \"influx\"\nmetric = \"\"\n", 4, "sensor[0].metric", "must not be empty"),
        // {metric} in the id of a JSON entry.
        ("[[sensor]]\ntopic = \"a/b\"\nid = \"x/{metric}\"\n", 3, "sensor[0].id", "{metric}"),
        ("[[sensor]]\ntopic = \"a/b\"\nid = \"x/{tag.cell}\"\n", 3, "sensor[0].id", "{tag.NAME}"),
        // precision on a format without line-protocol timestamps.
        ("[[sensor]]\ntopic = \"a/b\"\nprecision = \"s\"\n", 3, "sensor[0].precision", "line-protocol"),
        ("[[sensor]]\ntopic = \"a/b\"\nformat = \"influx\"\nprecision = \"min\"\n", 4, "sensor[0].precision", "is not one of"),
        // The first matching entry decides the format: the later one would never be decoded as it says.
        ("[[sensor]]\ntopic = \"plant/#\"\n\n[[sensor]]\ntopic = \"plant/lp/+\"\nformat = \"influx\"\n", 6, "sensor[1].format", "first matching entry decides"),
        ("[[sensor]]\ntopic = \"a/#\"\nformat = \"influx\"\n\n[[sensor]]\ntopic = \"a/b\"\nformat = \"influx\"\nprecision = \"s\"\n", 7, "sensor[1].format", "precision ns"),
        // Same pattern: an earlier entry without a metric filter takes everything.
        ("[[sensor]]\ntopic = \"a/b\"\nformat = \"influx\"\n\n[[sensor]]\ntopic = \"a/b\"\nformat = \"influx\"\nmetric = \"m/*\"\n", 6, "sensor[1].topic", "never apply"),
        ("[[sensor]]\ntopic = \"a/b\"\nformat = \"influx\"\nmetric = \"m/*\"\n\n[[sensor]]\ntopic = \"a/b\"\nformat = \"influx\"\nmetric = \"m/*\"\n", 7, "sensor[1].topic", "metric \"m/*\""),
    ])
    func refusals(text: String, line: Int, keyPath: String, fragment: String) {
        let found = issues(text)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.line == line)
        #expect(found.first?.keyPath == keyPath)
        #expect(found.first?.description.hasPrefix("t.toml:\(line):") == true)
        #expect(found.first?.message.contains(fragment) == true, "\(found)")
    }

    @Test("entries on one pattern with different metric filters, and same-format overlaps, are fine")
    func allowed() {
        #expect(issues("""
            [[sensor]]
            topic = "plant/lp"
            format = "influx"
            metric = "ph/*"

            [[sensor]]
            topic = "plant/lp"
            format = "influx"
            metric = "temp/*"

            [[sensor]]
            topic = "plant/#"
            format = "influx"

            [[sensor]]
            topic = "+/x"
            format = "sparkplug"
            """).isEmpty)
    }
}
