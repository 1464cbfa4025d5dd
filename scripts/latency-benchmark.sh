#!/usr/bin/env bash
# Publish → alert-line latency of issue 13 (docs/PERFORMANCE.md, "End to end against C (issue 13)").
#
#   bash scripts/latency-benchmark.sh [RATE=10000] [FAULTS=100] [WARMUP_S=30] [GAP_S=0.25] [QOS=1]
#
# A private mosquitto on a free loopback port, `tinsense run` (release) with the default
# detectors and one alert rule (threshold 0.5, pending_for_s = 0: fire on the first score over
# it), and Benchmarks/e2e/e2ebench.c's generator at RATE msg/s over 200 sensors (each a
# stationary noise, std ≈ 0.58). After WARMUP_S, sensor j (j < FAULTS) steps by +100 at
# WARMUP_S + j × GAP_S: each sensor is faulted once, FAULTS faults in all. The generator logs
# the CLOCK_MONOTONIC time at which it hands each sensor's first faulted message to the socket;
# `e2ebench alerts` follows the alert log with inotify and stamps each "firing" line when it
# reads it. Latency = line read − faulted publish, per faulted sensor (its first firing line
# after the fault); printed: p50, p90, p99, max, faults detected, firing lines of sensors
# that were not (yet) faulted. The daemon binary is $TINSENSE_BIN, else a release build.
# Needs: gcc, libmosquitto-dev, mosquitto, python3, curl.
source "$(dirname "$0")/reliability/lib.sh"
RATE="${1:-10000}"
FAULTS="${2:-100}"
WARMUP="${3:-30}"
GAP="${4:-0.25}"
QOS="${5:-1}"
SENSORS=200
TINSENSE="$(tinsense_bin)"
BENCH="$WORK/e2ebench"
gcc -O2 -Wall -Wextra -Werror -o "$BENCH" "$ROOT/Benchmarks/e2e/e2ebench.c" -lmosquitto
N="$(python3 -c "import sys; r, f, w, g = map(float, sys.argv[1:]); print(int(r * (w + f * g + 3)))" "$RATE" "$FAULTS" "$WARMUP" "$GAP")"

PORT="$(free_port)"
start_broker "$PORT" bench

MPORT="$(free_port)"
mkdir -p "$WORK/data"
cat >"$WORK/tinsense.toml" <<CONF
[daemon]
data_dir = "$WORK/data"
log_level = "notice"
stats_interval_s = 60

[mqtt]
broker = "mqtt://127.0.0.1:$PORT"
client_id = "tinsense-latency"
qos = $QOS
clean_session = false
subscribe = ["lat/#"]

[metrics]
listen = "127.0.0.1:$MPORT"

[detection]
enabled = true
detectors = ["default"]

[[alert_rule]]
name = "anomaly"
threshold = 0.5
pending_for_s = 0

[[sensor]]
topic = "lat/{line}/{sensor}"
id = "{line}/{sensor}"
stale_after_s = 0
CONF
"$TINSENSE" run --config "$WORK/tinsense.toml" >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 200); do
    curl -s "http://127.0.0.1:$MPORT/metrics" 2>/dev/null | grep -q '^tinsense_mqtt_connected 1' && break
    sleep 0.1
done
"$BENCH" alerts "$WORK/data/alerts.jsonl" 600 >"$WORK/firing.txt" 2>"$WORK/alerts.err" &
WATCH_PID=$!
for _ in $(seq 100); do grep -q watching "$WORK/alerts.err" 2>/dev/null && break; sleep 0.05; done
log "tinsense $TINSENSE; $N messages at $RATE msg/s over $SENSORS sensors, QoS $QOS; $FAULTS step faults from ${WARMUP} s, ${GAP} s apart; load $(cut -d' ' -f1-3 /proc/loadavg)"
c0="$(awk '{print $14 + $15}' "/proc/$DAEMON_PID/stat")"
LOADGEN_PID=
gen="$("$BENCH" gen "$PORT" "$N" "$SENSORS" "$QOS" lat "$RATE" "$FAULTS" "$WARMUP" "$GAP" 100 "$WORK/faults.txt")"
sleep 2
c1="$(awk '{print $14 + $15}' "/proc/$DAEMON_PID/stat")"
kill "$WATCH_PID"; wait "$WATCH_PID" 2>/dev/null || true
LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
stored="$(curl -s "http://127.0.0.1:$MPORT/metrics" | awk '/^tinsense_readings_stored_total /{print int($2)}')"
log "generator: $gen"
log "daemon: stored $stored of $N, CPU $(python3 -c "import sys; print((int(sys.argv[2]) - int(sys.argv[1])) / int(sys.argv[3]))" "$c0" "$c1" "$(getconf CLK_TCK)") s, VmHWM $(awk '/^VmHWM/{print $2, $3}' "/proc/$DAEMON_PID/status"); load average $LOAD"
[ -n "${LATENCY_COPY:-}" ] && cp "$WORK/faults.txt" "$LATENCY_COPY.faults" && cp "$WORK/firing.txt" "$LATENCY_COPY.firing"
if python3 - "$WORK/faults.txt" "$WORK/firing.txt" "$FAULTS" <<'PY'
import sys
faults = {}
for l in open(sys.argv[1]):
    s, ns = l.split(); faults[s] = int(ns)
firing = [(s, int(ns)) for s, ns in (l.split() for l in open(sys.argv[2]) if l.strip())]
lat, other = {}, 0
for s, ns in firing:
    if s in faults and ns >= faults[s]:
        lat.setdefault(s, (ns - faults[s]) / 1e6)
    else:
        other += 1
xs = sorted(lat.values())
if not xs:
    print("no fault raised an alert"); sys.exit(1)
q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
print(f"faults published {len(faults)} of {sys.argv[3]}, alerted {len(xs)}; firing lines not caused by a fault: {other}")
print(f"publish -> alert line (ms): p50 {q(0.5):.2f}, p90 {q(0.9):.2f}, p99 {q(0.99):.2f}, max {xs[-1]:.2f}, min {xs[0]:.2f} (target p99 <= 10 ms)")
sys.exit(0 if len(xs) == len(faults) else 1)
PY
then finish PASS "latency benchmark done (load average $LOAD)"; else finish FAIL "not every fault raised an alert"; fi
