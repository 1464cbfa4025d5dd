/// Finds the shapes of TOML on which toml++ (inside TOMLKit 0.6.0) fails an assertion and
/// aborts the process instead of reporting a syntax error, so that the loader can refuse them
/// with a FILE:LINE error before TOMLKit parses (`check-config` and `run` died with SIGABRT on
/// each; the config fuzzer found them, docs/RELIABILITY.md):
/// - a table header with no key after its `[` or `[[` (a line holding only `[`, `[=]`,
///   `[ # note`, `[[[sensor]]`, also right after a byte-order mark): `parse_key()` asserts;
/// - a `}` where an array element must start (`range = [0,}`, `[ }`, `{a = [}}`):
///   `parse_value()` asserts.
///
/// A byte scanner of its own because it must see what toml++ would see before toml++ runs:
/// it skips comments and the four kinds of strings exactly (three quotes inside a comment open
/// nothing; the line-based `TOMLLineIndex` took them for a multi-line string and let a `[=`
/// header through, fuzzer crash-34e68b94), treats a `[` that opens a line outside any value as
/// a table header, and tracks the `[`/`{` nesting of values. On a document that is valid TOML
/// it never reports anything: neither shape is ever valid.
enum TOMLAbortGuard {
    enum Problem: Equatable {
        /// What follows the header's `[`/`[[` (as `keylessHeaderStart` names it).
        case keylessHeader(found: String)
        case braceInArray
    }

    /// The first shape toml++ would abort on, with its 1-based line; nil when there is none.
    static func firstProblem(in source: String) -> (line: Int, problem: Problem)? {
        let bytes = Array(source.utf8)
        // toml++ skips a UTF-8 byte-order mark at the start, so a header right after it opens
        // line 1 (fuzzer crash-3062e628: BOM, '[', U+FFFD aborted in parse_key()).
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var atLineStart = true
        var nesting: [UInt8] = []
        /// The last byte that was not blank, a line break or in a comment (nil after a header).
        var last: UInt8?

        func skipString(quote: UInt8, escapes: Bool) {
            let multiline = i + 2 < bytes.count && bytes[i + 1] == quote && bytes[i + 2] == quote
            i += multiline ? 3 : 1
            while i < bytes.count {
                let b = bytes[i]
                if escapes, b == UInt8(ascii: "\\") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") { line += 1 }
                    i += 2
                    continue
                }
                if b == UInt8(ascii: "\n") {
                    if !multiline { return } // unterminated: toml++ reports it; the newline is read by the caller
                    line += 1
                } else if b == quote {
                    if !multiline { i += 1; return }
                    if i + 2 < bytes.count, bytes[i + 1] == quote, bytes[i + 2] == quote {
                        i += 3
                        // Up to two more quotes may close a multi-line string (`""""` ends with one in it).
                        while i < bytes.count, bytes[i] == quote { i += 1 }
                        return
                    }
                }
                i += 1
            }
        }

        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\n"):
                line += 1
                atLineStart = true
                i += 1
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                i += 1
                continue
            case UInt8(ascii: "#"):
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            case UInt8(ascii: "\""):
                skipString(quote: b, escapes: true)
                last = b
            case UInt8(ascii: "'"):
                skipString(quote: b, escapes: false)
                last = b
            case UInt8(ascii: "["):
                if nesting.isEmpty && atLineStart {
                    // A table header: nothing in it is a value.
                    let start = i
                    while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
                    let header = Substring(String(decoding: bytes[start..<i], as: UTF8.self))
                    if let found = keylessHeaderStart(header) { return (line, .keylessHeader(found: found)) }
                    last = nil
                    continue
                }
                nesting.append(b)
                last = b
                i += 1
            case UInt8(ascii: "{"):
                nesting.append(b)
                last = b
                i += 1
            case UInt8(ascii: "}"):
                if nesting.last == UInt8(ascii: "["), last == UInt8(ascii: "[") || last == UInt8(ascii: ",") { return (line, .braceInArray) }
                if nesting.last == UInt8(ascii: "{") { nesting.removeLast() }
                last = b
                i += 1
            case UInt8(ascii: "]"):
                if nesting.last == UInt8(ascii: "[") { nesting.removeLast() }
                last = b
                i += 1
            default:
                last = b
                i += 1
            }
            atLineStart = false
        }
        return nil
    }

    /// What follows a header's `[`/`[[` and spaces when it cannot start a key (a bare-key
    /// character or a quote) or close the header; nil when it can. A `[` there is refused too:
    /// no key starts with one, and toml++ aborts on `[[[x]]` instead of reporting it.
    ///
    /// Reads scalars, not Characters: `[` followed by a combining mark (U+064C, U+0301) is one
    /// Character, so dropping the first Character dropped the mark with the bracket and let
    /// `[`+U+064C+`]` reach toml++'s parse_key() assertion (FuzzConfigLoader crash-fa75d9f7).
    static func keylessHeaderStart(_ line: Substring) -> String? {
        var rest = line.unicodeScalars.dropFirst()
        if rest.first == "[" { rest = rest.dropFirst() }
        rest = rest.drop(while: { $0 == " " || $0 == "\t" })
        guard let next = rest.first else { return "the end of the line" }
        switch next {
        // No "[" here: "[[" was dropped above, and a third one ("[[[sensor]]") aborts toml++ too.
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-", "\"", "'", "]": return nil
        default: return "'\(next.escaped(asASCII: true))'"
        }
    }
}
