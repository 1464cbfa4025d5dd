#!/usr/bin/env bash
# The forwarding benchmark of docs/FORWARDING.md ("Measured"): how many readings per second the
# daemon's forwarder drains from its spool into VictoriaMetrics on this machine.
#   1. a daemon ingests COUNT readings while VictoriaMetrics is down, so they wait in the spool;
#   2. VictoriaMetrics starts; the time until tinsense_forward_readings_total reaches COUNT gives
#      the drain rate (requests of batch_max_readings, one at a time, each acknowledged);
#   3. the same stream live (VictoriaMetrics up): the forward lag seen at the end.
# Usage: bash scripts/forward-benchmark.sh [COUNT=200000] [BATCH=5000]
# Needs: a release build (built if missing, or $TINSENSE_BIN), cc, libmosquitto-dev, mosquitto,
# victoria-metrics, python3. Everything listens on 127.0.0.1 only.
source "$(dirname "$0")/reliability/lib.sh"
COUNT="${1:-200000}"
BATCH="${2:-5000}"
TINSENSE="$(tinsense_bin)"
LOADGEN="$(loadgen_bin)"
BROKER_PORT="$(free_port)"; VM_PORT="$(free_port)"; METRICS_PORT="$(free_port)"
START_MS=$(( ($(date +%s) - 3 * 86400) * 1000 ))

start_vm() {
    victoria-metrics -httpListenAddr="127.0.0.1:$VM_PORT" -storageDataPath="$WORK/vm" -retentionPeriod=100y \
        -dedup.minScrapeInterval=1ms -loggerLevel=ERROR >>"$WORK/vm.log" 2>&1 &
    VM_PID=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$VM_PORT/health" >/dev/null && return 0; sleep 0.1; done
    log "victoria-metrics did not start"; return 1
}
metric() { curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
trap 'stop_all; [ -n "${VM_PID:-}" ] && kill "$VM_PID" 2>/dev/null; true' EXIT

start_broker "$BROKER_PORT"
write_config "$BROKER_PORT" fwdbench "
[metrics]
enabled = true
listen = \"127.0.0.1:$METRICS_PORT\"

[forward]
enabled = true
url = \"http://127.0.0.1:$VM_PORT\"
batch_max_readings = $BATCH
batch_max_delay_ms = 200
retry_min_s = 0.2
retry_max_s = 0.5
"
start_daemon daemon
wait_online "$BROKER_PORT" fwdbench
log "1. $COUNT readings (100 sensors) into the spool while VictoriaMetrics is down"
"$LOADGEN" "$BROKER_PORT" 100 "$COUNT" 1000000000 7 "$START_MS" ts "$WORK/expected.csv" kl
wait_quiet "$WORK/daemon.log"
log "   spool: $(metric tinsense_forward_spool_bytes) bytes for $(metric tinsense_readings_stored_total) stored readings"

log "2. VictoriaMetrics starts; draining"
start_vm
t0=$(date +%s.%N)
for _ in $(seq 6000); do
    n="$(metric tinsense_forward_readings_total)"; n="${n%.*}"
    [ "${n:-0}" -ge "$COUNT" ] && break
    sleep 0.05
done
t1=$(date +%s.%N)
python3 -c "import sys; n, a, b = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]); print(f'   drained {n:,} readings in {b - a:.2f} s: {n / (b - a):,.0f} readings/s (batch {sys.argv[4]})')" "$n" "$t0" "$t1" "$BATCH"
log "   load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"

log "3. the same count live, as fast as the broker takes it (VictoriaMetrics up)"
base_f="$(metric tinsense_forward_readings_total)"; base_f="${base_f%.*}"
base_s="$(metric tinsense_readings_stored_total)"; base_s="${base_s%.*}"
t0=$(date +%s.%N)
"$LOADGEN" "$BROKER_PORT" 100 "$COUNT" 1000000000 8 "$(( START_MS + 86400000 ))" ts "$WORK/expected2.csv" kl
lagmax=0; t_stored=
for _ in $(seq 6000); do
    f="$(metric tinsense_forward_readings_total)"; f="${f%.*}"
    s="$(metric tinsense_readings_stored_total)"; s="${s%.*}"
    lag="$(metric tinsense_forward_lag_seconds)"
    lagmax=$(python3 -c "print(max(float('$lagmax'), float('${lag:-0}')))")
    [ -z "$t_stored" ] && [ "$(( ${s:-0} - base_s ))" -ge "$COUNT" ] && t_stored=$(date +%s.%N)
    [ "$(( ${f:-0} - base_f ))" -ge "$COUNT" ] && break
    sleep 0.1
done
t1=$(date +%s.%N)
python3 -c "import sys; n, a, s, b = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]); print(f'   stored at {n / (s - a):,.0f} readings/s (ingest-bound); the last forwarded {b - s:.2f} s after the last stored; max forward lag seen {sys.argv[5]} s')" "$COUNT" "$t0" "$t_stored" "$t1" "$lagmax"
curl -s "http://127.0.0.1:$VM_PORT/internal/force_flush" >/dev/null
samples=$(curl -s "http://127.0.0.1:$VM_PORT/api/v1/export" -d 'match[]={__name__="tinsense_value"}' | python3 -c 'import sys, json; print(sum(len(json.loads(l)["values"]) for l in sys.stdin))')
log "   VictoriaMetrics holds $samples samples (expected $(( 2 * COUNT )))"
kill "$VM_PID"; wait "$VM_PID" 2>/dev/null; VM_PID=
[ "$samples" = "$(( 2 * COUNT ))" ] || finish FAIL "sample count"
finish PASS "forward benchmark done"
