#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and ThreadSanitizer (docs/RELIABILITY.md,
# "Sanitizers"), each in its own scratch path (.build-asan, .build-tsan) so the normal build
# is untouched. The integration tests drive the `tinsense` executable, which is built with the
# same sanitizer: the libmosquitto bridge and the pipeline hand-off are where races hide.
#
#   bash scripts/sanitizers.sh [address|thread]... [-- swift test arguments, e.g. --filter X]
# Default: both. Exit status 1 when a build fails, a test fails or a sanitizer reports.
set -uo pipefail
cd "$(dirname "$0")/.."
kinds=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do kinds+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#kinds[@]} -eq 0 ] && kinds=(address thread)
status=0
for kind in "${kinds[@]}"; do
    case "$kind" in address) scratch=.build-asan ;; thread) scratch=.build-tsan ;; *) echo "unknown sanitizer $kind"; exit 2 ;; esac
    log="$scratch-test.log"
    if [ "$kind" = thread ]; then
        # Known TSan false positive on this toolchain (scripts/sanitizers/mutex-probe): a bare
        # Synchronization.Mutex is reported under contention; tinsense's `Guarded` must not be.
        mkdir -p "$scratch"
        if swiftc -sanitize=thread -g scripts/sanitizers/mutex-probe/main.swift Sources/TinsenseSystem/Guarded.swift \
            -o "$scratch/mutex-probe" >"$scratch/mutex-probe.log" 2>&1; then
            bare="$("$scratch/mutex-probe" mutex 2>&1 | grep -c "WARNING: ThreadSanitizer")"
            guarded="$("$scratch/mutex-probe" guarded 2>&1 | grep -c "WARNING: ThreadSanitizer")"
            echo "== thread: probe without a race: bare Synchronization.Mutex $bare TSan reports (the known false positive), Guarded $guarded"
            [ "$guarded" -ne 0 ] && status=1
        else
            echo "== thread: the Mutex probe did not build ($scratch/mutex-probe.log)"; status=1
        fi
    fi
    echo "== $kind: building in $scratch"
    if ! swift build --build-tests --scratch-path "$scratch" --sanitize="$kind" 2>&1 | grep -E "error:|warning:|Build complete" | tail -5; then status=1; continue; fi
    echo "== $kind: testing (log $log, sanitizer reports in $scratch-reports/)"
    # Every process (the test runner and each `tinsense` child the integration tests start)
    # writes its reports to $scratch-reports/report.PID: a child's stderr goes to the test's
    # pipes, not to $log, so counting $log alone missed them.
    # halt_on_error=0 for TSan lists every race instead of stopping at the first.
    rm -rf "$scratch-reports"; mkdir -p "$scratch-reports"
    ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:log_path=$PWD/$scratch-reports/report" \
        LSAN_OPTIONS="suppressions=$PWD/scripts/sanitizers/lsan.supp:print_suppressions=0" \
        TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:log_path=$PWD/$scratch-reports/report" \
        TINSENSE_BIN="$PWD/$scratch/debug/tinsense" TINSENSE_SANITIZER="$kind" \
        swift test --skip-build --scratch-path "$scratch" --sanitize="$kind" "$@" >"$log" 2>&1
    rc=$?
    reports="$(cat "$log" "$scratch-reports"/report.* 2>/dev/null \
        | grep -cE "^(==[0-9]+==ERROR: AddressSanitizer|WARNING: ThreadSanitizer|SUMMARY: (Address|Thread|Leak)Sanitizer)")"
    summary="$(grep -E "Test run with|Executed [0-9]+ tests" "$log" | tail -2 | tr '\n' ' ')"
    echo "== $kind: exit $rc, sanitizer reports $reports in $(ls "$scratch-reports" | wc -l) report files; $summary"
    cat "$log" "$scratch-reports"/report.* 2>/dev/null | grep -E "SUMMARY: .*Sanitizer" | sort | uniq -c | head -20
    [ "$rc" -ne 0 ] || [ "$reports" -ne 0 ] && status=1
done
exit $status
