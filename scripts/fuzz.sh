#!/usr/bin/env bash
# Fuzzes the parsers that take outside bytes with libFuzzer (docs/RELIABILITY.md, "Fuzzing"):
# the payload decoder (differential against Foundation), the line-protocol decoder (each line
# alone decodes as inside its message), the topic matcher, the config loader,
# the segment, WAL and chunk readers.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 60 s, every target
#
# Builds in .build-fuzz (release, -sanitize=fuzzer plus $FUZZ_SANITIZE, default "address";
# FUZZ_BUILD=debug builds unoptimised in .build-fuzz-debug: what CI's smoke run uses, cheaper
# to compile, so a target that no longer compiles or crashes at once fails the test command),
# seeds each run from Fuzz/corpus/<name>/ plus seeds the real writers make (segments, WAL
# files, chunks), and prints executions and crashes per target. A crashing input is saved
# under .build-fuzz/crashes/<target>/; turn it into a regression test (Tests/*/FuzzRegressionTests.swift)
# with its exact bytes. FUZZ_SEED=N fixes libFuzzer's random seed: CI's smoke run uses one, so
# a slower machine explores a prefix of the same mutations instead of new ones, and its result
# does not depend on luck; the long runs stay random. Exit status: 1 when any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
all=(FuzzPayloadDecoder FuzzLineProtocol FuzzTopicPattern FuzzConfigLoader FuzzSegmentReader FuzzWALReader FuzzChunkDecoder FuzzSparkplugDecoder)
targets=("${@:-${all[@]}}")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
sanitize="fuzzer${FUZZ_SANITIZE-,address}"
sanitize="${sanitize%,}"
build="${FUZZ_BUILD:-release}"
scratch=.build-fuzz
[ "$build" = release ] || scratch=".build-fuzz-$build"

# TOMLKit leaks ~120 bytes per TOML parse error (TOMLTable.init(string:), third-party), which
# LeakSanitizer would report on the first malformed input; leaks are not what this target hunts.
# -max_len=2048 for the config target: libFuzzer otherwise grows inputs towards the 68 KB
# shipped config, where one execution takes ~17 ms (TOMLKit converts the whole tree) and the
# target crawled at 7-300 executions/s; at 2 KB it runs at ~3,000-4,000/s, and every shape the
# loader checks (sections, keys, arrays, inline tables) fits in 2 KB. The 2 KB cap is what found
# the '}'-in-an-array abort (crash-7657cac5, ConfigFuzzRegressionTests) in 20 s.
# The same leak makes the config target's RSS grow with executions (measured 2026-12-02: 654 MB
# to 2 GB over 2.9 M executions, ~500 B each), so the default 2 GB RSS limit ended a long run as
# "out-of-memory" after ~3 M executions without any one input using memory; its limit is 16 GB
# (a 10 M-execution run needs ~6 GB). -malloc_limit_mb keeps the 2 GB cap on any single
# allocation, so an input that makes the loader allocate without bound is still caught.
# -detect_leaks=0 only stops libFuzzer checking each input; LeakSanitizer still checks once at
# exit, where the same TOMLKit leak (hundreds of MB after a long run) made a config run that
# completed without a crash exit 1 and save an empty "crash" input (2026-12-03, 1,305,463
# executions). The suppressions of scripts/sanitizers.sh name exactly the third-party leaks,
# so a leak in tinsense's own code still fails every target at exit.
export LSAN_OPTIONS="suppressions=$PWD/scripts/sanitizers/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
extra_flags() {
    case "$1" in FuzzConfigLoader) echo "-detect_leaks=0 -max_len=2048 -rss_limit_mb=16384 -malloc_limit_mb=2048" ;; *) echo "-rss_limit_mb=2048" ;; esac
}

corpus_name() {
    case "$1" in
        FuzzPayloadDecoder) echo payload ;; FuzzLineProtocol) echo lineprotocol ;; FuzzTopicPattern) echo topic ;; FuzzConfigLoader) echo config ;;
        FuzzSegmentReader) echo segment ;; FuzzWALReader) echo wal ;; FuzzChunkDecoder) echo chunk ;;
        FuzzSparkplugDecoder) echo sparkplug ;;
        *) echo "unknown target $1" >&2; exit 2 ;;
    esac
}

for t in "${targets[@]}"; do
    echo "== building $t (-sanitize=$sanitize)"
    mkdir -p "$scratch"
    if ! TINSENSE_FUZZ=1 swift build -c "$build" --scratch-path "$scratch" --product "$t" \
        -Xswiftc -sanitize="$sanitize" -Xswiftc -enable-testing >"$scratch/build-$t.log" 2>&1; then
        grep -E "error:" "$scratch/build-$t.log" | head -20
        exit 1
    fi
done
bin="$(TINSENSE_FUZZ=1 swift build -c "$build" --scratch-path "$scratch" --show-bin-path)"

summary=()
failed=0
for t in "${targets[@]}"; do
    name="$(corpus_name "$t")"
    work="$scratch/corpus/$name"
    crashes="$scratch/crashes/$t"
    mkdir -p "$work" "$crashes"
    cp -n Fuzz/corpus/"$name"/* "$work"/ 2>/dev/null || true
    log="$scratch/logs/$t.log"
    mkdir -p "$(dirname "$log")"
    echo "== fuzzing $t for ${seconds}s (corpus $work)"
    set +e
    # SWIFT_BACKTRACE=enable=no: the Swift runtime's crash reporter would take the signal
    # before libFuzzer's handler, and the crashing input would not be saved.
    SWIFT_BACKTRACE=enable=no TINSENSE_FUZZ_SEEDS="$work" "$bin/$t" "$work" -max_total_time="$seconds" -timeout=10 \
        -artifact_prefix="$crashes/" -print_final_stats=1 ${FUZZ_SEED:+-seed="$FUZZ_SEED"} $(extra_flags "$t") >"$log" 2>&1
    status=$?
    set -e
    # After a crash there are no final stats: fall back to the last progress line (and never let
    # a grep that finds nothing end the script under `set -e`).
    execs="$( { grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" || grep -oE '^#[0-9]+' "$log" || true; } | grep -oE '[0-9]+$' | tail -1)"
    found="$(find "$crashes" -type f | wc -l)"
    [ "$status" -ne 0 ] && failed=1
    summary+=("$(printf '%-20s %12s executions  %3s crash inputs  corpus %5s  exit %s' "$t" "${execs:-?}" "$found" "$(ls "$work" | wc -l)" "$status")")
    [ "$status" -ne 0 ] && tail -30 "$log"
done
echo
echo "== fuzz summary (${seconds}s per target, -sanitize=$sanitize)"
printf '%s\n' "${summary[@]}"
exit "$failed"
