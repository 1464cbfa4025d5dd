// swift-tools-version:6.2
// Storage and detection benchmarks, kept out of the main package so CI's `swift build`/`swift test` never
// compile them. Run (release): swift run -c release --package-path Benchmarks StorageBenchmark
// (or DetectionBenchmark: the generality benchmark of docs/DETECTION.md).
// Sources/PipelineBenchmark and Sources/CAllocCounter are targets of the main package (they run
// `package`-access stages): TINSENSE_BENCH=1 swift build -c release --product PipelineBenchmark.
import PackageDescription

let package = Package(
    name: "tinsense-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "tinsense", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "StorageBenchmark",
            dependencies: [
                .product(name: "TinsenseStorage", package: "tinsense"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "DetectionBenchmark",
            dependencies: [
                .product(name: "TinsenseDetect", package: "tinsense"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
