#!/usr/bin/env bash
# Broker faults (docs/RELIABILITY.md, "Broker faults"): under a steady QoS 1 load the broker is
# restarted RESTARTS times mid-stream, then stopped, then paused (SIGSTOP) for longer than the
# daemon's keepalive (≥ 18 s against 5 s; CPU is measured once the daemon has worked off its backlog). Afterwards: 0 lost, 0 duplicated, the reconnects are logged, and
# the daemon does not spin while the broker is gone (its CPU use is measured from /proc).
#
#   bash scripts/reliability/broker-faults.sh [RESTARTS]      default 5
# Environment: RATE (default 5000), SENSORS (200), SEED (7), MAX_IDLE_CPU (percent, default 5).
# The broker is restarted with SIGTERM (it saves its persistence file): a broker that loses
# acknowledged messages itself (SIGKILL between autosaves) is not the daemon's loss to prove.
source "$(dirname "$0")/lib.sh"
restarts="${1:-5}"
rate="${RATE:-5000}" sensors="${SENSORS:-200}" seed="${SEED:-7}" max_cpu="${MAX_IDLE_CPU:-5}"
TINSENSE="$(tinsense_bin)"
LOADGEN="$(loadgen_bin)"
count="${COUNT:-$(( rate * (restarts * 3 + 45) ))}"
start_ms="$(( ($(date +%s) - 3 * 86400) * 1000 ))"
port="$(free_port)"
RANDOM="$seed"
ticks="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# cpu_percent PID SECONDS: the process's CPU use over the next SECONDS.
cpu_percent() {
    local a b; a="$(cpu_ticks "$1")"; sleep "$2"; b="$(cpu_ticks "$1")"
    echo $(( (b - a) * 100 / (ticks * $2) ))
}
fail=0
# wait_still LOGFILE SECONDS: until the stats line's messages= figure has not moved for 3 s.
wait_still() {
    local last=-1 still=0
    for _ in $(seq "$2"); do
        local now; now="$(messages_seen "$1")"
        if [ "$now" = "$last" ]; then still=$((still + 1)); else still=0; fi
        [ "$still" -ge 3 ] && return 0
        last="$now"; sleep 1
    done
}

log "work directory $WORK; $restarts broker restarts, $count messages at $rate msg/s"
start_broker "$port"
write_config "$port" brokerfaults
start_daemon daemon
wait_online "$port" brokerfaults
"$LOADGEN" "$port" "$sensors" "$count" "$rate" "$seed" "$start_ms" ts "$WORK/expected.csv" >"$WORK/loadgen.out" 2>&1 &
LOADGEN_PID=$!
for i in $(seq "$restarts"); do
    sleep "$((1 + RANDOM % 3))"
    kill -TERM "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null || true
    sleep 0.5
    start_broker "$port"
    log "broker restart $i/$restarts"
done

sleep 2
kill -TERM "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null || true
# Measure once the pipeline has worked off what it already took (its stats counter is still),
# so the figure is the waiting alone.
wait_still "$WORK/daemon.log" 120
down_cpu="$(cpu_percent "$DAEMON_PID" 8)"
log "broker down: daemon CPU ${down_cpu}% over 8 s (bound ${max_cpu}%)"
[ "$down_cpu" -le "$max_cpu" ] || { log "FAIL: the daemon spins while the broker is down"; fail=1; }
start_broker "$port"

sleep 3
kill -STOP "$BROKER_PID"
log "broker paused (SIGSTOP); the daemon's keepalive is 5 s"
wait_still "$WORK/daemon.log" 120
paused_cpu="$(cpu_percent "$DAEMON_PID" 15)"
kill -CONT "$BROKER_PID"
log "broker paused: daemon CPU ${paused_cpu}%"
[ "$paused_cpu" -le "$max_cpu" ] || { log "FAIL: the daemon spins while the broker is paused"; fail=1; }

wait "$LOADGEN_PID" || { log "loadgen did not get every message acknowledged"; fail=1; }; LOADGEN_PID=
cat "$WORK/loadgen.out"
wait_quiet "$WORK/daemon.log" 900 || log "daemon still busy after 15 min"
reconnects="$(grep -c "reconnected to broker" "$WORK/daemon.log" || true)"
log "reconnects logged: $reconnects (expected ≥ $((restarts + 1)))"
[ "$reconnects" -ge "$((restarts + 1))" ] || { log "FAIL: fewer reconnects logged than broker outages"; fail=1; }
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true; DAEMON_PID=
log "quarantine: $(quarantine_reasons)"
check_stored "$WORK/expected.csv" "$start_ms" ts || fail=1
[ "$fail" = 0 ] && finish PASS "broker faults"
finish FAIL "broker faults"
