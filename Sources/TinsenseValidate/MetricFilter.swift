/// `[[sensor]] metric`: which metrics of a many-metric message (line protocol, Sparkplug) an
/// entry takes. An exact name, or a prefix when the text ends in `*` (`flotation/*`); only a
/// trailing `*` is special, so a name that contains one elsewhere is matched as written.
/// An entry with a filter never takes an item without a metric (JSON, bare numbers).
package struct MetricFilter: Sendable, Hashable, CustomStringConvertible {
    package let text: String
    private let prefix: Substring?

    package init(_ text: String) {
        self.text = text
        prefix = text.hasSuffix("*") ? text.dropLast() : nil
    }

    package var description: String { text }

    package func matches(_ metric: String?) -> Bool {
        guard let metric else { return false }
        if let prefix { return metric.hasPrefix(prefix) }
        return metric == text
    }
}
