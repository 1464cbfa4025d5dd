#!/usr/bin/env bash
# Throughput of one daemon against two daemons sharing one MQTT 5 subscription
# ($share/bench/...), on the same generated QoS 1 stream, in the same run (docs/SCALING.md).
#
#   scripts/scaling-benchmark.sh [COUNT] [SENSORS]
#
# For each case a fresh set of daemons (own client ids, data directories and /metrics ports)
# subscribes to its own prefix on one private mosquitto; loadgen (scripts/reliability/loadgen.c)
# publishes COUNT messages over SENSORS topics as fast as the broker takes them. The figure is
# COUNT / (time from the first publish to the moment the daemons' tinsense_readings_stored_total
# counters, read from /metrics every 0.1 s, sum to COUNT). Everything listens on 127.0.0.1.
# TINSENSE_BIN picks the binary (default: a release build, built if missing).
source "$(dirname "$0")/reliability/lib.sh"
COUNT="${1:-100000}"
SENSORS="${2:-1000}"
BIN="$(tinsense_bin)"
LOADGEN="$(loadgen_bin)"
PORT="$(free_port)"
start_broker "$PORT"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    kill "$BROKER_PID" 2>/dev/null || true
}
trap cleanup EXIT

# stored_total METRICS_PORT: the daemon's tinsense_readings_stored_total (0 if not yet up).
stored_total() {
    curl -s "http://127.0.0.1:$1/metrics" 2>/dev/null | awk '/^tinsense_readings_stored_total /{print int($2); found=1} END{if(!found) print 0}'
}

# run_case NAME DAEMONS: starts DAEMONS daemons on prefix NAME, publishes, prints the figure.
run_case() {
    local name="$1" n="$2" i metrics=() share=""
    [ "$n" -gt 1 ] && share='share_group = "bench"'
    for i in $(seq 1 "$n"); do
        local dir="$WORK/$name/d$i" mport
        mport="$(free_port)"
        mkdir -p "$dir"
        cat >"$dir/tinsense.toml" <<CONF
[daemon]
data_dir = "$dir/data"
log_level = "warning"

[mqtt]
broker = "mqtt://127.0.0.1:$PORT"
client_id = "bench-$name-$i"
protocol = 5
qos = 1
clean_session = false
session_expiry_s = 600
subscribe = ["$name/#"]
$share

[metrics]
listen = "127.0.0.1:$mport"

[[sensor]]
topic = "$name/{line}/{sensor}"
id = "{line}/{sensor}"
unit = "u"
stale_after_s = 0
CONF
        "$BIN" run --config "$dir/tinsense.toml" >"$dir/daemon.log" 2>&1 &
        PIDS+=($!)
        metrics+=("$mport")
    done
    for m in "${metrics[@]}"; do
        for _ in $(seq 100); do
            curl -s "http://127.0.0.1:$m/metrics" | grep -q '^tinsense_mqtt_connected 1' && break
            sleep 0.1
        done
    done
    sleep 0.5
    local start_ms t0 t1 total per
    start_ms=$(( ($(date +%s) - 3600) * 1000 ))
    t0=$(date +%s.%N)
    "$LOADGEN" "$PORT" "$SENSORS" "$COUNT" 1000000000 7 "$start_ms" ts "$WORK/$name/expected.csv" "$name" >"$WORK/$name/loadgen.txt"
    while :; do
        total=0; per=""
        for m in "${metrics[@]}"; do
            local s; s="$(stored_total "$m")"
            total=$((total + s)); per="$per $s"
        done
        [ "$total" -ge "$COUNT" ] && break
        if [ "$(echo "$(date +%s.%N) - $t0 > 300" | bc)" = 1 ]; then log "$name: only $total of $COUNT stored after 300 s"; break; fi
        sleep 0.1
    done
    t1=$(date +%s.%N)
    local secs rate
    secs="$(echo "$t1 - $t0" | bc -l)"
    rate="$(echo "$total / $secs" | bc -l)"
    printf '%-10s daemons=%d stored=%d (per daemon:%s) seconds=%.2f msg/s=%.0f  [%s]\n' \
        "$name" "$n" "$total" "$per" "$secs" "$rate" "$(cat "$WORK/$name/loadgen.txt")"
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    PIDS=()
}

log "tinsense: $BIN; $COUNT QoS 1 messages over $SENSORS sensors; mosquitto $(mosquitto -h 2>/dev/null | head -1 | awk '{print $3}') on 127.0.0.1:$PORT; $(nproc) cores"
run_case one 1
run_case two 2
