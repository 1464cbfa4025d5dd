#!/usr/bin/env bash
# The memory soak of docs/PERFORMANCE.md ("Memory soak"): a private mosquitto on a free
# loopback port, the daemon with the default detectors, and SENSORS sensors at 1 Hz for
# SECONDS (scripts/memory-soak/soakgen.c). The daemon's VmRSS and VmHWM are sampled every
# second from /proc; printed: peak RSS, RSS after warm-up against RSS at the end (flat or
# not), and bytes per sensor (RSS after warm-up minus the RSS before the first reading).
#
#   bash scripts/memory-soak.sh [SENSORS=10000] [SECONDS=600] [WARMUP_S=540] [LIMIT_MB=0]
#   MAX_SERIES=N bash scripts/memory-soak.sh ...   the daemon keeps state for at most N sensors
#
# The daemon must keep up with SENSORS messages/s (a release build does; a debug build takes
# about 3,000/s, and then the windows fill later than the clock says).
# Warm-up: the longest window of the default set (mad's 500 readings) is full after 500 s at
# 1 Hz; the head is sealed every head_max_samples readings, so RSS is a saw tooth before and
# after. "Flat" means the end is within 5 % (and 2 MB) of the highest RSS seen up to warm-up's
# end. LIMIT_MB > 0 also fails the run when the peak exceeds it. The daemon binary is
# $TINSENSE_BIN, else a release build (built if missing).
# Needs: cc, libmosquitto-dev, mosquitto, python3.
source "$(dirname "$0")/reliability/lib.sh"
SENSORS="${1:-10000}"
SECONDS_TOTAL="${2:-600}"
WARMUP="${3:-540}"
LIMIT_MB="${4:-0}"
TINSENSE="$(tinsense_bin)"
GEN="$WORK/soakgen"
cc -O2 -o "$GEN" "$ROOT/scripts/memory-soak/soakgen.c" -lmosquitto

PORT="$(free_port)"
start_broker "$PORT"
mkdir -p "$WORK/data"
cat >"$WORK/tinsense.toml" <<CONF
[daemon]
data_dir = "$WORK/data"
log_level = "notice"
stats_interval_s = 60

[mqtt]
broker = "mqtt://127.0.0.1:$PORT"
client_id = "tinsense-soak"
qos = 1
clean_session = false
subscribe = ["soak/#"]
status_topic = "tinsense/soak/status"

[storage]
fsync_interval_ms = 200

[validation]
max_series = ${MAX_SERIES:-50000}

[detection]
enabled = true
detectors = ["default"]

[[alert_rule]]
name = "anomaly"
threshold = 0.5

[[sensor]]
topic = "soak/{line}/{sensor}"
id = "{line}/{sensor}"
stale_after_s = 0
CONF
"$TINSENSE" run --config "$WORK/tinsense.toml" >>"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_online "$PORT" soak
sleep 2
idle_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$DAEMON_PID/status")
log "daemon $DAEMON_PID online, RSS ${idle_kb} kB before the first reading; $SENSORS sensors at 1 Hz for $SECONDS_TOTAL s"

"$GEN" "$PORT" "$SENSORS" "$SECONDS_TOTAL" >"$WORK/gen.out" 2>&1 &
LOADGEN_PID=$!
: >"$WORK/rss.tsv"
start=$(date +%s)
while kill -0 "$LOADGEN_PID" 2>/dev/null; do
    now=$(( $(date +%s) - start ))
    awk -v t="$now" '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {print t "\t" r "\t" h}' "/proc/$DAEMON_PID/status" >>"$WORK/rss.tsv"
    sleep 1
done
wait "$LOADGEN_PID" || { LOADGEN_PID=; finish FAIL "the generator failed: $(cat "$WORK/gen.out")"; }
LOADGEN_PID=
log "generator: $(cat "$WORK/gen.out")"
sleep 3
kill -0 "$DAEMON_PID" 2>/dev/null || finish FAIL "the daemon died: $(tail -5 "$WORK/daemon.log")"
[ -n "${SOAK_RSS_COPY:-}" ] && cp "$WORK/rss.tsv" "$SOAK_RSS_COPY"  # the samples, for a plot

if python3 - "$WORK/rss.tsv" "$SENSORS" "$WARMUP" "$idle_kb" "$LIMIT_MB" <<'PY'
import sys
rows = [tuple(int(x) for x in line.split()) for line in open(sys.argv[1]) if line.strip()]
sensors, warmup, idle_kb, limit_mb = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
mb = lambda kb: kb * 1024 / 1e6
peak = max(h for _, _, h in rows)
warm = [r for t, r, _ in rows if t <= warmup]
after = [r for t, r, _ in rows if t > warmup]
warm_kb = max(warm)
end_kb = rows[-1][1]
tail_max = max(after) if after else end_kb
per_sensor = (warm_kb - idle_kb) * 1024 / sensors
print(f"samples {len(rows)} (1/s); RSS before readings {mb(idle_kb):.1f} MB")
print(f"peak RSS (VmHWM) {mb(peak):.1f} MB for {sensors} sensors")
print(f"RSS: highest up to warm-up ({warmup} s) {mb(warm_kb):.1f} MB; after it: highest {mb(tail_max):.1f} MB, at the end {mb(end_kb):.1f} MB")
print(f"bytes per sensor (highest RSS up to warm-up - RSS before readings) / sensors: {per_sensor:,.0f}")
for t, r, h in rows[:: max(1, len(rows) // 12)]:
    print(f"  t={t:4d} s  RSS {mb(r):6.1f} MB  HWM {mb(h):6.1f} MB")
flat = tail_max <= max(warm_kb * 1.05, warm_kb + 2048)
ok = flat and (limit_mb <= 0 or mb(peak) <= limit_mb)
print(f"flat after warm-up: {'yes' if flat else 'NO'}" + (f"; peak within {limit_mb:.0f} MB: {'yes' if mb(peak) <= limit_mb else 'NO'}" if limit_mb > 0 else ""))
sys.exit(0 if ok else 1)
PY
then finish PASS "memory soak done"; else finish FAIL "memory soak: not flat or over the limit"; fi
