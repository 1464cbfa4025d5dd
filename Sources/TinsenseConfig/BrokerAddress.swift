/// Checks broker URLs (`mqtt://`, `mqtts://`) and subscription filters at config time, so `check-config` catches
/// them before the daemon runs. (The MQTT layer parses the URL itself when connecting.)
enum BrokerAddress {
    static func problem(_ url: String) -> String? {
        var rest = Substring(url)
        if rest.hasPrefix("mqtt://") { rest = rest.dropFirst(7) }
        else if rest.hasPrefix("mqtts://") { rest = rest.dropFirst(8) }
        else if rest.hasPrefix("tcp://") { rest = rest.dropFirst(6) }
        else if rest.contains("://") { return "\"\(url)\": only mqtt://, mqtts:// (or tcp://) are supported" }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard !rest.isEmpty, parts.count <= 2, !parts[0].isEmpty else { return "\"\(url)\" is not mqtt://host[:port] or mqtts://host[:port]" }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65_535).contains(port) else { return "\"\(url)\": port must be 1–65535" }
        }
        return nil
    }

    static func filterProblem(_ filter: String) -> String? {
        // `$share/GROUP/FILTER`: the broker hands each message to one member of GROUP.
        if filter.hasPrefix("$share/") {
            let rest = filter.dropFirst("$share/".count)
            guard let slash = rest.firstIndex(of: "/") else { return "\"\(filter)\": a shared subscription is $share/GROUP/FILTER" }
            if let problem = shareGroupProblem(String(rest[..<slash])) { return "\"\(filter)\": \(problem)" }
            let inner = String(rest[rest.index(after: slash)...])
            if inner.isEmpty { return "\"\(filter)\": no topic filter after the share group" }
            return filterProblem(inner)
        }
        let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
        if filter.isEmpty { return "an empty topic filter" }
        for (i, level) in levels.enumerated() {
            if level.contains("#") && (level != "#" || i != levels.count - 1) { return "\"\(filter)\": '#' must be a whole last level" }
            if level.contains("+") && level != "+" { return "\"\(filter)\": '+' must be a whole level" }
        }
        return nil
    }

    /// The longest share group name accepted; names are labels, and this keeps a typo'd
    /// paste from becoming part of every SUBSCRIBE.
    static let maxShareGroupBytes = 128

    /// Why `group` cannot name a shared subscription group (MQTT 5, 4.8.2: no '/', '+' or '#'), or nil.
    static func shareGroupProblem(_ group: String) -> String? {
        if group.isEmpty { return "the share group name is empty" }
        if group.utf8.count > maxShareGroupBytes { return "the share group name is longer than \(maxShareGroupBytes) bytes" }
        for bad in ["/", "+", "#", "\u{0}"] where group.contains(bad) {
            return "the share group name \"\(group)\" must not contain '\(bad == "\u{0}" ? "NUL" : bad)'"
        }
        return nil
    }
}
