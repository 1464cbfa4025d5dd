/// Refuses the one table-header shape that makes TOMLKit's parser abort the process.
///
/// toml++ (inside TOMLKit 0.6.0) asserts, instead of reporting an error, when a table header's
/// `[` or `[[` is followed (after spaces) by anything other than a key or `]`: a line holding
/// only `[`, `[=]`, `[.]`, `[ # note`. The assertion is live in our builds, so `check-config`
/// and `run` died with SIGABRT on a half-typed header (found by the config fuzzer,
/// docs/RELIABILITY.md). This scan runs before TOMLKit and turns that shape into a FILE:LINE
/// error. It follows multi-line arrays and strings the way `TOMLLineIndex` does; it only ever
/// refuses text that is not valid TOML.
enum TOMLHeaderGuard {
    /// The first offending header: its line and what follows the bracket.
    static func firstBadHeader(in source: String) -> (line: Int, found: String)? {
        var depth = 0
        var inMultilineString: String?
        for (number, rawLine) in TOMLLineIndex.lines(of: source).enumerated() {
            var line = rawLine
            if let delimiter = inMultilineString {
                if line.contains(delimiter) { inMultilineString = nil }
                continue
            }
            line = line.drop(while: { $0 == " " || $0 == "\t" })
            if depth > 0 {
                depth += TOMLLineIndex.bracketBalance(line)
                continue
            }
            if line.hasPrefix("[") {
                var rest = line.dropFirst()
                if rest.first == "[" { rest = rest.dropFirst() }
                rest = rest.drop(while: { $0 == " " || $0 == "\t" })
                guard let next = rest.unicodeScalars.first else { return (number + 1, "the end of the line") }
                if !startsKeyOrClosesHeader(next) { return (number + 1, "'\(next.escaped(asASCII: true))'") }
            } else if let eq = TOMLLineIndex.assignment(line) {
                let value = line[line.index(after: eq)...]
                for delimiter in ["\"\"\"", "'''"] where value.components(separatedBy: delimiter).count == 2 {
                    inMultilineString = delimiter
                }
                depth += TOMLLineIndex.bracketBalance(value)
            }
        }
        return nil
    }

    /// A bare-key character, a quote, or the `]` of an (empty, refused by toml++ itself) header.
    private static func startsKeyOrClosesHeader(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-", "\"", "'", "]", "[": true
        default: false
        }
    }
}
