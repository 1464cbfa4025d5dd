/// What the metrics listener answers to one request head (the bytes up to the blank line).
///
/// Only `GET` (and `HEAD`) of `/metrics` is served; the parser is strict and allocation-light
/// because anything on the port may send it anything (docs/OPERATIONS.md, "Metrics").
package enum HTTPRequestHead: Equatable, Sendable {
    case metrics(headOnly: Bool)
    case notFound
    case methodNotAllowed
    case malformed

    /// The index just past the `\r\n\r\n` (or bare `\n\n`) that ends a request head in
    /// `bytes`, or nil while it is incomplete.
    package static func endOfHead(in bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { return i + 2 }
                if i + 2 < bytes.count, bytes[i + 1] == 0x0D, bytes[i + 2] == 0x0A { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    /// Classifies a complete head (`bytes[..<end]` as found by `endOfHead`).
    package init(_ head: ArraySlice<UInt8>) {
        let lines = head.split(separator: 0x0A, omittingEmptySubsequences: true).map { line in
            line.last == 0x0D ? line.dropLast() : line
        }.filter { !$0.isEmpty }
        guard let requestLine = lines.first else {
            self = .malformed
            return
        }
        let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(HTTPRequestHead.isTokenByte),
              parts[1].first == UInt8(ascii: "/"), parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              parts[2].elementsEqual("HTTP/1.1".utf8) || parts[2].elementsEqual("HTTP/1.0".utf8)
        else {
            self = .malformed
            return
        }
        // Header lines: `name: value`, name a token. Folded or nameless lines are malformed.
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy(HTTPRequestHead.isTokenByte)
            else {
                self = .malformed
                return
            }
        }
        let path = parts[1].prefix { $0 != UInt8(ascii: "?") }
        let method = String(decoding: parts[0], as: UTF8.self)
        guard path.elementsEqual("/metrics".utf8) else {
            self = .notFound
            return
        }
        switch method {
        case "GET": self = .metrics(headOnly: false)
        case "HEAD": self = .metrics(headOnly: true)
        default: self = .methodNotAllowed
        }
    }

    /// RFC 9110 token characters (method and header names).
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }
}
