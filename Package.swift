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
        .library(name: "TinsenseStorage", targets: ["TinsenseStorage", "TinsenseEncoding", "TinsenseCore"]),
        .library(name: "TinsenseDetect", targets: ["TinsenseDetect", "TinsenseCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
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

        // Shared value types: readings, decimal values, timestamps, CRC32C. No I/O.
        .target(name: "TinsenseCore", swiftSettings: strict),

        // Pure stages.
        .target(name: "TinsenseDecode", dependencies: ["TinsenseCore"], swiftSettings: strict),
        .target(name: "TinsenseValidate", dependencies: ["TinsenseCore", "TinsenseDecode"], swiftSettings: strict),
        .target(name: "TinsenseDetect", dependencies: ["TinsenseCore"], swiftSettings: strict),
        .target(name: "TinsenseEncoding", dependencies: ["TinsenseCore", "CZstd"], swiftSettings: strict),

        // I/O layers.
        .target(
            name: "TinsenseStorage",
            dependencies: [
                "TinsenseCore", "TinsenseEncoding",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TinsenseMQTT",
            dependencies: [
                "CMosquitto",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TinsenseAlerts",
            dependencies: [
                "TinsenseCore", "TinsenseDetect",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TinsenseConfig",
            dependencies: [
                "TinsenseCore", "TinsenseValidate", "TinsenseDetect", "TinsenseAlerts",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TinsenseSimulator",
            dependencies: ["TinsenseCore", "TinsenseConfig", "TinsenseValidate"],
            swiftSettings: strict
        ),

        // Wiring: threads, files, time, lifecycle.
        .target(
            name: "TinsenseDaemon",
            dependencies: [
                "TinsenseCore", "TinsenseDecode", "TinsenseValidate", "TinsenseDetect",
                "TinsenseStorage", "TinsenseMQTT", "TinsenseAlerts", "TinsenseConfig",
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
                "TinsenseConfig", "TinsenseDetect", "TinsenseAlerts", "TinsenseMQTT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // Tests. Unit tests per stage; Integration starts a real mosquitto on loopback.
        .testTarget(name: "TinsenseCoreTests", dependencies: ["TinsenseCore"], swiftSettings: strict),
        .testTarget(name: "TinsenseDecodeTests", dependencies: ["TinsenseDecode", "TinsenseCore"], swiftSettings: strict),
        .testTarget(name: "TinsenseValidateTests", dependencies: ["TinsenseValidate", "TinsenseCore"], swiftSettings: strict),
        .testTarget(name: "TinsenseConfigTests", dependencies: ["TinsenseConfig", "TinsenseValidate", "TinsenseCore"], swiftSettings: strict),
        .testTarget(name: "TinsenseStorageTests", dependencies: ["TinsenseStorage", "TinsenseEncoding", "TinsenseCore"], swiftSettings: strict),
        .testTarget(name: "TinsenseDetectTests", dependencies: ["TinsenseDetect", "TinsenseAlerts", "TinsenseCore"], swiftSettings: strict),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["TinsenseCore", "TinsenseDecode", "TinsenseValidate", "TinsenseMQTT", "TinsenseStorage", "TinsenseSimulator", "TinsenseConfig"],
            swiftSettings: strict
        ),
    ]
)
