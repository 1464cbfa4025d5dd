/// Finds the line on which each key of a TOML document is defined.
///
/// Written by hand because TOMLKit (toml++ underneath) reports positions only for syntax
/// errors, not for the nodes of a parsed document, and a config error must name its line.
/// It only has to locate keys in a document that already parsed, so it tracks table headers
/// (`[a.b]`, `[[sensor]]` with its running index) and `key =` lines; multi-line values are
/// skipped by bracket and string state.
struct TOMLLineIndex {
    private(set) var lines: [String: Int] = [:]

    init(source: String) {
        var arrayCounts: [String: Int] = [:]
        var table = ""
        var depth = 0
        var inMultilineString: String?
        for (number, rawLine) in TOMLLineIndex.lines(of: source).enumerated() {
            let lineNumber = number + 1
            var line = Substring(rawLine)
            if let delimiter = inMultilineString {
                if line.contains(delimiter) { inMultilineString = nil }
                continue
            }
            line = line.drop(while: { $0 == " " || $0 == "\t" })
            if depth > 0 {
                depth += TOMLLineIndex.bracketBalance(line)
                continue
            }
            if line.hasPrefix("[[") {
                let name = TOMLLineIndex.headerName(line.dropFirst(2), closing: "]]")
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                table = "\(name)[\(index)]"
                lines[table] = lineNumber
            } else if line.hasPrefix("[") {
                table = TOMLLineIndex.headerName(line.dropFirst(), closing: "]")
                lines[table] = lineNumber
            } else if let eq = TOMLLineIndex.assignment(line) {
                let key = TOMLLineIndex.normalizeKey(line[..<eq])
                let path = table.isEmpty ? key : table + "." + key
                if lines[path] == nil { lines[path] = lineNumber }
                let value = line[line.index(after: eq)...]
                for delimiter in ["\"\"\"", "'''"] {
                    if value.components(separatedBy: delimiter).count == 2 { inMultilineString = delimiter }
                }
                depth += TOMLLineIndex.bracketBalance(value)
                // Inline tables: record their keys too.
                if let open = value.firstIndex(of: "{") {
                    for part in value[value.index(after: open)...].split(separator: ",") {
                        if let e = part.firstIndex(of: "=") {
                            let k = TOMLLineIndex.normalizeKey(part[..<e])
                            if lines[path + "." + k] == nil { lines[path + "." + k] = lineNumber }
                        }
                    }
                }
            }
        }
    }

    /// The lines of `source`, split at every LF byte: a CRLF file splits like an LF one (as a
    /// `Character`, "\r\n" is one grapheme and never equals "\n"); a line keeps its "\r".
    static func lines(of source: String) -> [Substring] {
        source.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Substring(String(decoding: $0, as: UTF8.self)) }
    }

    /// The line of `path` (`mqtt.qos`, `sensor[2].range`), or of its nearest parent.
    func line(of path: String) -> Int? {
        var p = path
        while true {
            if let l = lines[p] { return l }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            p = String(p[..<cut])
        }
    }

    static func headerName(_ s: Substring, closing: String) -> String {
        let body = s.components(separatedBy: closing).first ?? String(s)
        return normalizeKey(Substring(body))
    }

    static func normalizeKey(_ s: Substring) -> String {
        s.split(separator: ".").map { part in
            part.trimmingCharacters(in: [" ", "\t", "\"", "'"])
        }.joined(separator: ".")
    }

    /// Index of the `=` of a `key = value` line (outside quotes), nil for comments/blank lines.
    static func assignment(_ line: Substring) -> Substring.Index? {
        guard let first = line.first, first != "#" else { return nil }
        var quote: Character?
        for i in line.indices {
            let c = line[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "=" {
                return i
            } else if c == "#" {
                return nil
            }
        }
        return nil
    }

    /// Net `[`/`{` minus `]`/`}` outside strings and comments.
    static func bracketBalance(_ s: Substring) -> Int {
        var balance = 0
        var quote: Character?
        for c in s {
            if let q = quote {
                if c == q { quote = nil }
                continue
            }
            switch c {
            case "\"", "'": quote = c
            case "[", "{": balance += 1
            case "]", "}": balance -= 1
            case "#": return balance
            default: break
            }
        }
        return balance
    }
}

extension Substring {
    func trimmingCharacters(in set: Set<Character>) -> String {
        String(self.drop(while: { set.contains($0) }).reversed().drop(while: { set.contains($0) }).reversed())
    }
}
