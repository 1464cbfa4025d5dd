#!/usr/bin/env bash
# Regenerates Sources/TinsenseSparkplug/Protobuf/sparkplug_b.pb.swift from sparkplug_b.proto.
#
# The generated file is committed (building protoc-gen-swift takes minutes), so this runs only
# when the .proto changes. It needs protoc (Debian: protobuf-compiler) and a protoc-gen-swift
# built from the swift-protobuf release Package.swift depends on (1.39.0): set
# PROTOC_GEN_SWIFT to its path, or have it on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=Sources/TinsenseSparkplug/Protobuf
plugin=${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}
if [[ -z "$plugin" || ! -x "$plugin" ]]; then
    echo "generate-sparkplug: protoc-gen-swift not found; set PROTOC_GEN_SWIFT" >&2
    exit 1
fi
# Visibility=Package: the module's siblings use the messages, no library product ships them.
protoc --proto_path="$dir" --plugin=protoc-gen-swift="$plugin" \
    --swift_opt=Visibility=Package --swift_out="$dir" "$dir/sparkplug_b.proto"
echo "generate-sparkplug: wrote $dir/sparkplug_b.pb.swift"
