#!/usr/bin/env bash
# Kill loop (docs/RELIABILITY.md, "Kill loop"): a steady QoS 1 load from loadgen while the
# daemon is killed at random moments and restarted each time; then the stored set must equal
# the published set: 0 lost, 0 duplicated.
#
#   bash scripts/reliability/kill-loop.sh [KILLS] [SIGNAL] [MODE]
#     KILLS   default 20
#     SIGNAL  KILL (default) or TERM
#     MODE    ts (default: readings carry their source time) or bare (no timestamp)
# Environment: RATE (msg/s, default 5000), SENSORS (200), SEED (7), TINSENSE_BIN, WORK.
# Exit status 0 only when nothing was lost or duplicated.
source "$(dirname "$0")/lib.sh"
kills="${1:-20}" signal="${2:-KILL}" mode="${3:-ts}"
rate="${RATE:-5000}" sensors="${SENSORS:-200}" seed="${SEED:-7}"
TINSENSE="$(tinsense_bin)"
LOADGEN="$(loadgen_bin)"
# Enough messages to keep the load up through every kill (a kill every ~0.5–2.5 s, plus restarts).
count="${COUNT:-$(( rate * (kills * 2 + 10) ))}"
start_ms="$(( ($(date +%s) - 3 * 86400) * 1000 ))"
port="$(free_port)"
RANDOM="$seed"

log "work directory $WORK; $kills × SIG$signal, mode $mode, $count messages at $rate msg/s over $sensors sensors, seed $seed"
start_broker "$port"
write_config "$port" killloop
start_daemon daemon
wait_online "$port" killloop
"$LOADGEN" "$port" "$sensors" "$count" "$rate" "$seed" "$start_ms" "$mode" "$WORK/expected.csv" >"$WORK/loadgen.out" 2>&1 &
LOADGEN_PID=$!
survived=0
for i in $(seq "$kills"); do
    # A random moment: 0.5 to 2.5 s after the restart (the daemon is busy replaying or ingesting).
    sleep "$(printf '0.%03d' $((RANDOM % 1000)))"; sleep "$((RANDOM % 2))"; sleep 0.5
    kill -"$signal" "$DAEMON_PID" 2>/dev/null || { log "daemon had already exited before kill $i"; tail -5 "$WORK/daemon.log"; exit 1; }
    # SIGTERM must end the daemon within 30 s (systemd's TimeoutStopSec would SIGKILL it).
    for _ in $(seq 300); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$DAEMON_PID" 2>/dev/null; then log "daemon still running 30 s after SIG$signal (kill $i)"; kill -9 "$DAEMON_PID"; fi
    wait "$DAEMON_PID" 2>/dev/null || true
    survived=$((survived + 1))
    log "kill $i/$kills (SIG$signal); restarting"
    start_daemon daemon
done
wait "$LOADGEN_PID"; LOADGEN_PID=
cat "$WORK/loadgen.out"
wait_quiet "$WORK/daemon.log" 900 || log "daemon still busy after 15 min"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=
log "quarantine: $(quarantine_reasons)"
log "restarts survived: $survived"
if check_stored "$WORK/expected.csv" "$start_ms" "$mode"; then
    finish PASS "kill loop $kills × SIG$signal ($mode): 0 lost, 0 duplicated"
fi
finish FAIL "kill loop $kills × SIG$signal ($mode)"
