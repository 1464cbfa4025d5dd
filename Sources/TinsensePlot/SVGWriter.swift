/// A tiny SVG text builder: elements, attributes and text, escaped.
///
/// Why our own: the package mirror has no well-kept Swift SVG library, and what a plot needs
/// is a few element kinds (`g`, `rect`, `line`, `path`, `polyline`, `text`, `circle`) written
/// once, top to bottom; escaping is the one thing that must be right, and it is here.
struct SVGWriter {
    private(set) var text = ""
    private var open: [String] = []

    init(width: Int, height: Int) {
        text = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        start("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("width", "\(width)"), ("height", "\(height)"),
            ("viewBox", "0 0 \(width) \(height)"), ("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif"),
        ])
    }

    /// Opens `<name …>`; `end()` closes it.
    mutating func start(_ name: String, _ attributes: [(String, String)] = []) {
        text += "<" + name + SVGWriter.attributes(attributes) + ">\n"
        open.append(name)
    }

    mutating func end() {
        guard let name = open.popLast() else { return }
        text += "</" + name + ">\n"
    }

    /// `<name …/>`, or `<name …>content</name>` when `content` is given (escaped).
    mutating func element(_ name: String, _ attributes: [(String, String)], content: String? = nil) {
        if let content {
            text += "<" + name + SVGWriter.attributes(attributes) + ">" + SVGWriter.escape(content) + "</" + name + ">\n"
        } else {
            text += "<" + name + SVGWriter.attributes(attributes) + "/>\n"
        }
    }

    /// The document, every element closed.
    mutating func finish() -> String {
        while !open.isEmpty { end() }
        return text
    }

    static func attributes(_ list: [(String, String)]) -> String {
        var out = ""
        for (k, v) in list { out += " " + k + "=\"" + escape(v) + "\"" }
        return out
    }

    /// XML escaping for text and attribute values; control characters XML 1.0 forbids
    /// (sensor ids come from MQTT topics) become U+FFFD, so the file always parses.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    /// A coordinate with one decimal: enough for a screen, and it keeps the file small.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let tenths = (x * 10).rounded()
        let clamped = Swift.max(-1e9, Swift.min(1e9, tenths))
        let n = Int64(clamped)
        let sign = n < 0 ? "-" : ""
        let a = n.magnitude
        return a % 10 == 0 ? sign + String(a / 10) : sign + String(a / 10) + "." + String(a % 10)
    }
}
