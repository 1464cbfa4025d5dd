/// A series reduced to one bucket per pixel column: min, max, mean and last of the readings
/// that fall in it. Drawing this instead of every point keeps the SVG's size bounded by the
/// width, whatever the reading count, and still shows every spike (min/max are exact).
struct ColumnEnvelope {
    struct Column {
        var min: Double
        var max: Double
        var sum: Double
        var count: Int
        var last: Double
        var mean: Double { let m = sum / Double(count); return m.isFinite ? m : last }
    }

    /// nil for columns without readings (gaps stay gaps).
    var columns: [Column?]

    /// `columns` buckets over `from…to` (epoch ms); readings outside are left out.
    init(series: PlotSeries, from: Int64, to: Int64, columns count: Int) {
        var columns = [Column?](repeating: nil, count: Swift.max(count, 1))
        let span = Double(Swift.max(to &- from, 1))
        let n = Double(columns.count)
        for i in 0..<series.count {
            let t = series.times[i]
            guard t >= from, t <= to else { continue }
            let k = Swift.min(columns.count - 1, Int(Double(t &- from) / span * n))
            let v = series.values[i]
            if var c = columns[k] {
                c.min = Swift.min(c.min, v)
                c.max = Swift.max(c.max, v)
                c.sum += v
                c.count += 1
                c.last = v
                columns[k] = c
            } else {
                columns[k] = Column(min: v, max: v, sum: v, count: 1, last: v)
            }
        }
        self.columns = columns
    }
}
