import Foundation
import TinsenseConfig
import TinsenseCore
import TinsenseTestSupport

/// Readings with varied values, scales, units and qualities, one per millisecond per sensor.
func sampleReadings(_ count: Int, sensors: Int = 7, start: Int64 = 1_780_000_000_000) -> [Reading] {
    (0..<count).map { k in
        let sensor = k % sensors
        let t = Timestamp(millisecondsSinceEpoch: start + Int64(k / sensors) * 1000)
        let quality: Quality = k % 11 == 0 ? .uncertain : .good
        return Reading(
            sensor: "plant/line\(sensor % 3)/s \(sensor)", sourceTime: t, receiveTime: t.adding(milliseconds: 5),
            value: DecimalValue(mantissa: Int64((k &* 7919) % 200_000 - 100_000), scale: UInt8(sensor % 4)),
            unit: sensor == 0 ? nil : "kg/h", quality: quality
        )
    }
}

/// `[forward]` settings for a test: short delays, a quick retry.
func forwardSettings(url: String, spoolMB: Double = 64, batch: Int = 500) -> Config.Forward {
    var s = Config.Forward()
    s.enabled = true
    s.url = url
    s.batchMaxReadings = batch
    s.batchMaxDelayMs = 50
    s.spoolMaxMB = spoolMB
    s.retryMinSeconds = 0.05
    s.retryMaxSeconds = 0.2
    s.timeoutSeconds = 5
    return s
}

/// The sample a reading should become in VictoriaMetrics.
func expectedSample(_ r: Reading) -> VictoriaMetricsServer.Sample {
    var labels = ["__name__": "tinsense_value", "sensor": r.sensor, "quality": r.quality.description]
    if let u = r.unit { labels["unit"] = u }
    return VictoriaMetricsServer.Sample(labels: labels, timestampMs: r.sourceTime.millisecondsSinceEpoch, value: r.value.doubleValue)
}
