#!/usr/bin/env bash
# Runs every test: unit tests of the pure stages and storage, and integration tests that start
# their own mosquitto on a free loopback port and drive the real `tinsense` executable.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/check-architecture.sh
swift build
swift test
# The short fuzz run (docs/RELIABILITY.md, "Fuzzing"): every libFuzzer target still compiles and
# survives 15 s from its seeds, with a fixed libFuzzer seed; the long runs are `bash scripts/fuzz.sh 3600`.
FUZZ_BUILD=debug FUZZ_SANITIZE= FUZZ_SEED=1 bash scripts/fuzz.sh 15
# The .deb: built from the debug build just made, checked, installed into a scratch root
# (and, in CI, for real). Last, because it relinks .build/debug/tinsense statically.
bash scripts/test-package.sh
