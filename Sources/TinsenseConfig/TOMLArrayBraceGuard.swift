/// Finds a `}` where a TOML array element must start (`range = [0,}`, `[ }`, `{a = [}}`).
///
/// toml++ (inside TOMLKit 0.6.0) fails an assertion on that shape and aborts the process
/// (`parse_value(): Assertion '!is_value_terminator(*cp)'`) instead of reporting a syntax
/// error, so `check-config` and `run` died with SIGABRT on a half-edited array. The config
/// fuzzer found it (docs/RELIABILITY.md); the loader refuses the shape with a FILE:LINE error
/// before TOMLKit parses, as it does for a keyless table header (`TOMLLineIndex.keylessHeader`).
///
/// A byte scanner of its own because it must see what toml++ would see before toml++ runs:
/// it skips comments and the four kinds of strings exactly, treats a `[` that opens a line
/// outside any value as a table header, and tracks the `[`/`{` nesting of values. On a
/// document that is valid TOML it never reports anything: a `}` right after `[` or `,` inside
/// an array is never valid.
enum TOMLArrayBraceGuard {
    /// The 1-based line of the first `}` that follows an array's `[` or `,`, nil when none.
    static func firstMisplacedBrace(in source: String) -> Int? {
        let bytes = Array(source.utf8)
        var i = 0
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
                    while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
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
                if nesting.last == UInt8(ascii: "["), last == UInt8(ascii: "[") || last == UInt8(ascii: ",") { return line }
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
}
