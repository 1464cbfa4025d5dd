import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG read back with XMLParser: every element with its attributes and text, in document
/// order, so tests check the picture's structure against the data, not its bytes.
struct SVGStructure {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
        /// The `data-sensor` of the enclosing panel, if any.
        var panel: String?
    }

    var elements: [Element] = []

    init(_ svg: String) throws {
        let delegate = Collector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            throw SVGError(message: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)")
        }
        elements = delegate.elements
    }

    func all(_ cls: String, panel: String? = nil) -> [Element] {
        elements.filter { $0.attributes["class"] == cls && (panel == nil || $0.panel == panel) }
    }

    struct SVGError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var stack: [Int] = []
        var panels: [String?] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            var panel = panels.last ?? nil
            if attributes["class"] == "panel" { panel = attributes["data-sensor"] }
            panels.append(panel)
            elements.append(Element(name: name, attributes: attributes, panel: panel))
            stack.append(elements.count - 1)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let i = stack.last { elements[i].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
            panels.removeLast()
        }
    }
}

/// `"x1,y1 x2,y2"` → points.
func polylinePoints(_ text: String) -> [(x: Double, y: Double)] {
    text.split(separator: " ").compactMap { pair in
        let p = pair.split(separator: ",")
        guard p.count == 2, let x = Double(p[0]), let y = Double(p[1]) else { return nil }
        return (x, y)
    }
}

/// Every number in a path's `d`, in order.
func pathNumbers(_ d: String) -> [Double] {
    var out: [Double] = []
    var current = ""
    for c in d {
        if c.isNumber || c == "." || (c == "-" && current.isEmpty) {
            current.append(c)
        } else {
            if let v = Double(current) { out.append(v) }
            current = c == "-" ? "-" : ""
        }
    }
    if let v = Double(current) { out.append(v) }
    return out
}
