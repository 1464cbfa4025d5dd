/// What `tinsense alerts` shows for one line of the alert log: the transition formatted
/// when it passes the filter; a line that is not JSON as it is, but only when nothing is
/// filtered (such a line cannot be judged by severity or sensor); nothing otherwise.
package struct AlertLogView: Sendable {
    package var filter: AlertLineFilter
    package var formatter: AlertLineFormatter

    package init(filter: AlertLineFilter, formatter: AlertLineFormatter) {
        self.filter = filter
        self.formatter = formatter
    }

    /// The text to show for `line`, or nil to skip it (empty lines are skipped too).
    package func display(_ line: String) -> String? {
        guard !line.isEmpty else { return nil }
        if let entry = AlertLogEntry(line: line) {
            return filter.accepts(entry) ? formatter.format(entry) : nil
        }
        return filter.sensor == nil && filter.minimumSeverity == nil ? line : nil
    }
}
