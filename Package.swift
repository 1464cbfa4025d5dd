// swift-tools-version:6.2
// tinsense — MQTT sensor ingest, validation, anomaly detection and storage for tin plants.
//
// Modules follow the data flow (see docs/ARCHITECTURE.md):
//   MQTT → WAL → decode → validate → detect → storage / alerts
// Pure stages (TinsenseDecode, TinsenseValidate, TinsenseDetect, TinsenseEncoding) do no I/O
// and read no clock; the daemon layer owns threads, files and time.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "tinsense",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tinsense", targets: ["tinsense"]),
        .library(name: "TinsenseStorage", targets: ["TinsenseStorage", "TinsenseEncoding", "TinsenseSystem", "TinsenseCore"]),
        .library(name: "TinsenseDetect", targets: ["TinsenseDetect", "TinsenseCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Sparkplug B payloads (TinsenseSparkplug only): the runtime of the committed generated code.
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        // C libraries from Debian (apt: libmosquitto-dev, libzstd-dev).
        .systemLibrary(
            name: "CMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        // libcurl for the forwarder's HTTP client (apt: libcurl4-openssl-dev); why not
        // AsyncHTTPClient: Sources/TinsenseForward/HTTPPoster.swift.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // The CPU's CRC-32C instruction (SSE 4.2) for TinsenseCore's CRC32C; why in C: its file.
        .target(name: "CCRC32C"),

        // Shared value types: readings, decimal values, timestamps, CRC32C, the seeded PRNG. No I/O.
        .target(name: "TinsenseCore", dependencies: ["CCRC32C"], swiftSettings: strict),

        // General system helpers for the I/O layers: POSIX file I/O, the wall clock, retry
        // backoff. Pure stages never depend on it.
        .target(name: "TinsenseSystem", dependencies: ["TinsenseCore"], swiftSettings: strict),

        // Pure stages.
        .target(name: "TinsenseDecode", dependencies: ["TinsenseCore", "TinsenseSparkplug"], swiftSettings: strict),
        .target(name: "TinsenseValidate", dependencies: ["TinsenseCore", "TinsenseDecode"], swiftSettings: strict),
        .target(name: "TinsenseDetect", dependencies: ["TinsenseCore"], swiftSettings: strict),
        .target(name: "TinsenseEncoding", dependencies: ["CZstd"], swiftSettings: strict),
        // Sparkplug B (docs/SPARKPLUG.md): topics, the protobuf payload (generated code committed,
        // scripts/generate-sparkplug.sh) and the per-edge-node session state (aliases, seq,
        // bdSeq, death). Pure: receive times are passed in.
        .target(
            name: "TinsenseSparkplug",
            dependencies: ["TinsenseCore", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Protobuf/sparkplug_b.proto"],
            swiftSettings: strict
        ),

        // I/O layers.
        .target(
            name: "TinsenseStorage",
            dependencies: [
                "TinsenseCore", "TinsenseEncoding", "TinsenseSystem",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TinsenseMQTT",
            dependencies: [
                "CMosquitto", "TinsenseSystem",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The alert engine (pure), the alert log and the republish queue; MQTT is lent by the
        // daemon through `AlertPublishing`, so this module links no broker library.
        .target(
            name: "TinsenseAlerts",
            dependencies: [
                "TinsenseCore", "TinsenseSystem",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TinsenseConfig",
            dependencies: [
                "TinsenseCore", "TinsenseValidate", "TinsenseDetect", "TinsenseAlerts", "TinsenseSystem",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        // Offline measurement of the detectors: labelled data sets, fault recall, benchmark cost,
        // and the CSV engine of `tinsense score`.
        .target(
            name: "TinsenseEvaluation",
            dependencies: ["TinsenseCore", "TinsenseDetect", "TinsenseAlerts", "TinsenseSimulator"],
            swiftSettings: strict
        ),
        .target(
            name: "TinsenseSimulator",
            dependencies: ["TinsenseCore", "TinsenseSparkplug"],
            swiftSettings: strict
        ),
        // `tinsense plot`: readings, alert spans and quarantine marks in, SVG text out (pure).
        .target(name: "TinsensePlot", dependencies: ["TinsenseCore"], swiftSettings: strict),

        // The Prometheus backend of swift-metrics and the small HTTP listener serving /metrics
        // (a POSIX socket of its own, not an HTTP framework: docs/OPERATIONS.md, "Build cost").
        .target(
            name: "TinsenseMetrics",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),

        // Record, replay and offline re-detection for R&D (docs/REPLAY.md): recordings of raw
        // messages (WAL-format files), re-publishing them, the daemon's raw-stream archive,
        // and decode → validate → detect offline with the alert diff. The CLI only parses and prints.
        .target(
            name: "TinsenseReplay",
            dependencies: [
                "TinsenseCore", "TinsenseSystem", "TinsenseStorage", "TinsenseMQTT", "TinsenseDecode",
                "TinsenseValidate", "TinsenseDetect", "TinsenseAlerts", "TinsenseConfig",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // `[forward]`: stored readings to VictoriaMetrics through a disk spool (docs/FORWARDING.md).
        .target(
            name: "TinsenseForward",
            dependencies: [
                "CCurl", "TinsenseCore", "TinsenseSystem", "TinsenseStorage", "TinsenseAlerts", "TinsenseConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),

        // Wiring: threads, files, time, lifecycle.
        .target(
            name: "TinsenseDaemon",
            dependencies: [
                "TinsenseCore", "TinsenseDecode", "TinsenseValidate", "TinsenseDetect",
                "TinsenseStorage", "TinsenseMQTT", "TinsenseAlerts", "TinsenseConfig", "TinsenseSystem", "TinsenseMetrics", "TinsenseReplay", "TinsenseForward",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // The one executable.
        .executableTarget(
            name: "tinsense",
            dependencies: [
                "TinsenseCore", "TinsenseDaemon", "TinsenseSimulator", "TinsenseStorage",
                "TinsenseConfig", "TinsenseDetect", "TinsenseAlerts", "TinsenseMQTT", "TinsenseSystem", "TinsenseEvaluation",
                "TinsenseDecode", "TinsensePlot", "TinsenseMetrics", "TinsenseReplay",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // Tests. Unit tests per stage; Integration starts a real mosquitto on loopback.
        // The fixtures the test targets share (scratch directories, seeded draws, the broker
        // and daemon processes) are one ordinary target under Tests/, so no product ships it.
        .target(
            name: "TinsenseTestSupport",
            dependencies: ["TinsenseCore", "TinsenseDetect", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TinsenseTestSupport",
            swiftSettings: strict
        ),
        // What one sensor's state costs per component (docs/PERFORMANCE.md "Memory per sensor"):
        // an executable, not a test, because it measures the process heap and must run alone.
        .executableTarget(
            name: "MemoryPerSensor",
            dependencies: [
                "TinsenseCore", "TinsenseDecode", "TinsenseValidate", "TinsenseDetect", "TinsenseStorage",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/MemoryPerSensor",
            swiftSettings: strict
        ),
        .testTarget(name: "TinsenseCoreTests", dependencies: ["TinsenseCore"], swiftSettings: strict),
        .testTarget(name: "TinsenseSystemTests", dependencies: ["TinsenseSystem", "TinsenseTestSupport"], swiftSettings: strict),
        .testTarget(name: "TinsenseDecodeTests", dependencies: ["TinsenseDecode", "TinsenseSparkplug", "TinsenseCore", "TinsenseTestSupport"], swiftSettings: strict),
        .testTarget(name: "TinsenseValidateTests", dependencies: ["TinsenseValidate", "TinsenseDecode", "TinsenseCore"], swiftSettings: strict),
        .testTarget(name: "TinsenseConfigTests", dependencies: ["TinsenseConfig", "TinsenseValidate", "TinsenseCore", "TinsenseTestSupport"], swiftSettings: strict),
        .testTarget(name: "TinsenseStorageTests", dependencies: ["TinsenseStorage", "TinsenseEncoding", "TinsenseCore", "TinsenseTestSupport"], swiftSettings: strict),
        .testTarget(name: "TinsenseDetectTests", dependencies: ["TinsenseDetect", "TinsenseAlerts", "TinsenseCore", "TinsenseTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TinsenseAlertsTests",
            dependencies: ["TinsenseAlerts", "TinsenseCore", "TinsenseTestSupport", "TinsenseSystem", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TinsenseDaemonTests",
            dependencies: [
                "TinsenseDaemon", "TinsenseStorage", "TinsenseValidate", "TinsenseDecode", "TinsenseCore", "TinsenseConfig",
                "TinsenseMQTT", "TinsenseSystem", "TinsenseTestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TinsenseMetricsTests",
            dependencies: ["TinsenseMetrics", "TinsenseTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TinsenseSparkplugTests",
            dependencies: [
                "TinsenseSparkplug", "TinsenseSimulator", "TinsenseCore", "TinsenseTestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "TinsenseSimulatorTests", dependencies: ["TinsenseSimulator", "TinsenseCore", "TinsenseTestSupport"], swiftSettings: strict),
        .testTarget(name: "TinsensePlotTests", dependencies: ["TinsensePlot", "TinsenseCore", "TinsenseTestSupport"], swiftSettings: strict),
        .testTarget(name: "TinsenseEvaluationTests", dependencies: ["TinsenseEvaluation", "TinsenseDetect", "TinsenseAlerts", "TinsenseCore", "TinsenseTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TinsenseReplayTests",
            dependencies: [
                "TinsenseReplay", "TinsenseStorage", "TinsenseMQTT", "TinsenseConfig", "TinsenseAlerts", "TinsenseCore",
                "TinsenseSystem", "TinsenseTestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TinsenseForwardTests",
            dependencies: [
                "TinsenseForward", "TinsenseConfig", "TinsenseAlerts", "TinsenseCore", "TinsenseSystem", "TinsenseTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TinsenseCore", "TinsenseDecode", "TinsenseValidate", "TinsenseMQTT", "TinsenseSimulator", "TinsenseConfig",
                "TinsenseSystem", "TinsenseTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)

// libFuzzer targets (docs/RELIABILITY.md, `scripts/fuzz.sh`): declared only when
// TINSENSE_FUZZ is set, so `swift build` and `swift test` never build them. They live in this
// package, not a separate one, because the stages they fuzz are `package`-access.
if Context.environment["TINSENSE_FUZZ"] != nil {
    let fuzzed: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzPayloadDecoder", ["TinsenseDecode", "TinsenseCore"]),
        ("FuzzLineProtocol", ["TinsenseDecode", "TinsenseCore"]),
        ("FuzzTopicPattern", ["TinsenseValidate"]),
        ("FuzzConfigLoader", ["TinsenseConfig"]),
        ("FuzzSegmentReader", ["TinsenseStorage"]),
        ("FuzzWALReader", ["TinsenseStorage", "TinsenseCore", .product(name: "Logging", package: "swift-log")]),
        ("FuzzChunkDecoder", ["TinsenseEncoding"]),
        ("FuzzSparkplugDecoder", ["TinsenseSparkplug", "TinsenseCore"]),
    ]
    package.targets.append(.target(name: "CLibFuzzer", path: "Fuzz/Sources/CLibFuzzer"))
    package.targets.append(.target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Fuzz/Sources/FuzzSupport", swiftSettings: strict))
    for f in fuzzed {
        package.targets.append(.executableTarget(
            name: f.name, dependencies: ["FuzzSupport"] + f.dependencies, path: "Fuzz/Sources/\(f.name)",
            swiftSettings: strict + [.unsafeFlags(["-parse-as-library"])]
        ))
    }
}

// The in-process benchmark of the ingest path (docs/PERFORMANCE.md, "In-process"): declared only
// when TINSENSE_BENCH is set, so CI's `swift build`/`swift test` never build it. In this package,
// not Benchmarks/Package.swift, because the stages it runs are `package`-access.
if Context.environment["TINSENSE_BENCH"] != nil {
    package.targets.append(.target(name: "CAllocCounter", path: "Benchmarks/Sources/CAllocCounter"))
    package.targets.append(.executableTarget(
        name: "PipelineBenchmark",
        dependencies: [
            "CAllocCounter", "TinsenseCore", "TinsenseDecode", "TinsenseValidate", "TinsenseDetect", "TinsenseStorage",
            "TinsenseAlerts", "TinsenseConfig", "TinsenseDaemon", .product(name: "Logging", package: "swift-log"),
        ],
        path: "Benchmarks/Sources/PipelineBenchmark",
        swiftSettings: strict
    ))
}
