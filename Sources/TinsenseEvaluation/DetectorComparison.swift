import TinsenseDetect

/// The detector sets every evaluation table compares, in table order: each detector alone,
/// then the default set the daemon runs.
package enum DetectorComparison {
    package static let detectorSets: [String] = DetectorKind.allCases.map(\.name) + ["default"]
}
