#!/usr/bin/env bash
# Disk full (docs/RELIABILITY.md, "Disk full"): the data directory is a small tmpfs, filled by
# a ballast file while the daemon ingests a steady QoS 1 load. The daemon must not crash nor
# leave a corrupt file, must say clearly that it paused, must resume by itself once the
# ballast is deleted, lose nothing, and hold no more descriptors afterwards than before.
#
#   bash scripts/reliability/disk-full.sh [FULL_SECONDS]      default 30 (time spent full)
# Needs root (mount); skips with exit 0 and a message otherwise.
# Environment: RATE (default 2000), SENSORS (200), SEED (7), SIZE_MB (tmpfs size, default 48).
source "$(dirname "$0")/lib.sh"
full_for="${1:-30}"
rate="${RATE:-2000}" sensors="${SENSORS:-200}" seed="${SEED:-7}" size="${SIZE_MB:-48}"
TINSENSE="$(tinsense_bin)"
LOADGEN="$(loadgen_bin)"
count="${COUNT:-$(( rate * (full_for + 40) ))}"
start_ms="$(( ($(date +%s) - 3 * 86400) * 1000 ))"
port="$(free_port)"
mkdir -p "$WORK/data"
if ! mount -t tmpfs -o "size=${size}m" tmpfs "$WORK/data" 2>/dev/null; then
    echo "SKIP: disk-full needs to mount a tmpfs (run as root); nothing tested"
    exit 0
fi
fds() { ls "/proc/$1/fd" | wc -l; }
fail=0

log "work directory $WORK; data on a ${size} MB tmpfs; $count messages at $rate msg/s"
start_broker "$port"
write_config "$port" diskfull
start_daemon daemon
wait_online "$port" diskfull
sleep 2
fds_before="$(fds "$DAEMON_PID")"
"$LOADGEN" "$port" "$sensors" "$count" "$rate" "$seed" "$start_ms" ts "$WORK/expected.csv" >"$WORK/loadgen.out" 2>&1 &
LOADGEN_PID=$!
sleep 5
# Fill the file system: the ballast takes whatever is left.
dd if=/dev/zero of="$WORK/data/ballast" bs=1M 2>/dev/null || true
log "disk full: $(df -h "$WORK/data" | tail -1)"
sleep "$full_for"
kill -0 "$DAEMON_PID" 2>/dev/null || { log "FAIL: the daemon died on a full disk"; tail -20 "$WORK/daemon.log"; exit 1; }
paused_line="$(grep -iE "no space|disk full|ENOSPC" "$WORK/daemon.log" | head -1 || true)"
log "pause logged: ${paused_line:-NONE}"
[ -n "$paused_line" ] || { log "FAIL: no clear log line while the disk was full"; fail=1; }
fds_full="$(fds "$DAEMON_PID")"
rm -f "$WORK/data/ballast"
log "space freed; descriptors before ${fds_before}, while full ${fds_full}"
wait "$LOADGEN_PID" || { log "loadgen did not get every message acknowledged"; fail=1; }; LOADGEN_PID=
cat "$WORK/loadgen.out"
wait_quiet "$WORK/daemon.log" 600 || log "daemon still busy after 10 min"
fds_after="$(fds "$DAEMON_PID")"
log "descriptors: before ${fds_before}, after ${fds_after}"
[ "$fds_after" -le "$((fds_before + 2))" ] || { log "FAIL: descriptor leak"; ls -l "/proc/$DAEMON_PID/fd"; fail=1; }
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=
"$TINSENSE" verify --data "$WORK/data" >"$WORK/verify.out" 2>&1 || { log "FAIL: verify found damage"; cat "$WORK/verify.out"; fail=1; }
log "quarantine: $(quarantine_reasons)"
check_stored "$WORK/expected.csv" "$start_ms" ts || fail=1
[ "$fail" = 0 ] && finish PASS "disk full"
finish FAIL "disk full"
