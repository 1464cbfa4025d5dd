import TOMLKit

extension TableReader {
    /// `[metrics]`: `enabled`, `listen`.
    func readMetrics(_ root: TOMLTable, into c: inout Config) {
        guard let t = section(root, "metrics") else { return }
        var s = Section(reader: self, table: t, path: "metrics")
        c.metrics.enabled = s.bool("enabled", default: c.metrics.enabled)
        let listen = s.string("listen", default: c.metrics.listen.description, nonEmpty: true)
        switch ListenAddress.parse(listen) {
        case .success(let address): c.metrics.listen = address
        case .failure(let problem): issue("metrics.listen", problem.description)
        }
        s.finish()
    }
}
