#!/usr/bin/env bash
# The end-to-end benchmark of issue 13 (docs/PERFORMANCE.md, "End to end against C (issue 13)").
#
#   bash scripts/e2e-benchmark.sh [N=1000000] [RUNS=3]
#
# One private mosquitto on a free loopback port (own config: no persistence, unbounded queues,
# so neither QoS drops or holds back anything), and Benchmarks/e2e/e2ebench.c's generator
# publishing N JSON readings {"ts":MS,"value":V} over 200 sensors as fast as the socket takes
# them. At QoS 0 and at QoS 1, RUNS times each, one after another on the same stream:
#   count   C libmosquitto subscriber that only counts (TCP_NODELAY on)
#   store   C subscriber: strtod of the value + a 24-byte binary record appended to a file
#   tinsense  `tinsense run` (release), full pipeline: WAL, validation, the default detectors,
#           segments, one alert rule; its stored count read from /metrics
#           (tinsense_readings_stored_total) every 5 ms
# msg/s = N / (first publish → last message received, or the poll that saw N stored); loss =
# N − stored; CPU µs per message of the consumer (getrusage, or /proc/PID/stat for the daemon);
# peak RSS (VmHWM); ratio to the count row. Medians of RUNS. The generator's and the broker's
# CPU seconds are printed too. Not in CI (scripts/test.sh): it needs a release build and minutes.
# TINSENSE_BIN picks the daemon binary (default: a release build, built if missing); QOS="0"
# (or "1") runs one QoS level only.
# Needs: gcc, libmosquitto-dev, mosquitto, python3, curl.
source "$(dirname "$0")/reliability/lib.sh"
N="${1:-1000000}"
RUNS="${2:-3}"
SENSORS=200
TINSENSE="$(tinsense_bin)"
BENCH="$WORK/e2ebench"
gcc -O2 -Wall -Wextra -Werror -o "$BENCH" "$ROOT/Benchmarks/e2e/e2ebench.c" -lmosquitto

# ticks PID: utime + stime of PID in clock ticks.
ticks() { local l; read -r l <"/proc/$1/stat"; l="${l##*) }"; set -- $l; echo $(( ${12} + ${13} )); }
kv() { sed -E "s/.*$1=([^ ]+).*/\1/" <<<"$2"; }

PORT="$(free_port)"
start_broker "$PORT" bench
HZ="$(getconf CLK_TCK)"
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
log "tinsense $TINSENSE; N=$N over $SENSORS sensors, RUNS=$RUNS; mosquitto $(mosquitto -h 2>/dev/null | head -1 | awk '{print $3}') on 127.0.0.1:$PORT; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

# row NAME QOS RUN: one measurement; appends a line to $RESULTS.
row() {
    local name="$1" qos="$2" run="$3" prefix="e2e$2$1$3" b0 b1 gen out rate own cpu hwm loss
    b0="$(ticks "$BROKER_PID")"
    if [ "$name" = tinsense ]; then
        local dir="$WORK/$prefix" mport
        mport="$(free_port)"
        mkdir -p "$dir/data"
        cat >"$dir/tinsense.toml" <<CONF
[daemon]
data_dir = "$dir/data"
log_level = "notice"
stats_interval_s = 60

[mqtt]
broker = "mqtt://127.0.0.1:$PORT"
client_id = "tinsense-$prefix"
qos = $qos
clean_session = false
subscribe = ["$prefix/#"]

[metrics]
listen = "127.0.0.1:$mport"

[detection]
enabled = true
detectors = ["default"]

[[alert_rule]]
name = "anomaly"
threshold = 0.5

[[sensor]]
topic = "$prefix/{line}/{sensor}"
id = "{line}/{sensor}"
stale_after_s = 0
CONF
        "$TINSENSE" run --config "$dir/tinsense.toml" >"$dir/daemon.log" 2>&1 &
        DAEMON_PID=$!
        for _ in $(seq 200); do
            curl -s "http://127.0.0.1:$mport/metrics" 2>/dev/null | grep -q '^tinsense_mqtt_connected 1' && break
            sleep 0.1
        done
        sleep 1
        "$BENCH" wait "$mport" "$N" "$DAEMON_PID" 600 >"$dir/wait.out" &
        local wpid=$!
        gen="$("$BENCH" gen "$PORT" "$N" "$SENSORS" "$qos" "$prefix")"
        wait "$wpid" || log "tinsense did not store $N within 600 s"
        out="$(cat "$dir/wait.out")"
        b1="$(ticks "$BROKER_PID")"
        kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=
        grep -Ei 'error|critical' "$dir/daemon.log" | head -3 || true
        rate="$(python3 -c "import sys; print(round(int(sys.argv[1]) / ((int(sys.argv[2]) - int(sys.argv[3])) / 1e9)))" "$N" "$(kv done_ns "$out")" "$(kv first_ns "$gen")")"
        own="-"
        loss=$(( N - $(kv stored "$out") ))
        local final; final="$(kv final "$out")"
        [ "$final" -gt "$N" ] && log "tinsense stored $final of $N: $((final - N)) duplicates"
        rm -rf "$dir/data"
    else
        local f="$WORK/$prefix"
        "$BENCH" sub "$PORT" "$prefix" "$N" "$qos" "$name" "$f.bin" 600 >"$f.out" 2>"$f.err" &
        local spid=$!
        for _ in $(seq 100); do grep -q subscribed "$f.err" 2>/dev/null && break; sleep 0.05; done
        gen="$("$BENCH" gen "$PORT" "$N" "$SENSORS" "$qos" "$prefix")"
        wait "$spid" || true
        out="$(cat "$f.out")"
        b1="$(ticks "$BROKER_PID")"
        rate="$(python3 -c "import sys; print(round(int(sys.argv[1]) / ((int(sys.argv[2]) - int(sys.argv[3])) / 1e9)))" "$N" "$(kv last_ns "$out")" "$(kv first_ns "$gen")")"
        own="$(kv msg_s "$out")"
        loss=$(( N - $(kv received "$out") ))
        rm -f "$f.bin"
    fi
    cpu="$(kv cpu_s "$out")"
    hwm="$(kv hwm_kb "$out")"
    local bcpu; bcpu="$(python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / int(sys.argv[3]):.2f}')" "$b0" "$b1" "$HZ")"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$qos" "$name" "$run" "$rate" "$own" "$loss" "$cpu" "$hwm" \
        "$(kv cpu_s "$gen")" "$bcpu" "$(kv msg_s "$gen")" >>"$RESULTS"
    log "QoS $qos $name run $run: $rate msg/s (own first-to-last: $own), loss $loss, CPU $cpu s, VmHWM $hwm kB; generator: $gen; broker CPU $bcpu s"
}

for qos in ${QOS:-0 1}; do
    for run in $(seq 1 "$RUNS"); do
        for name in count store tinsense; do row "$name" "$qos" "$run"; done
    done
done
LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$RESULTS" "$N" "$LOAD" <<'PY'
import sys, statistics as st
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
n, load = int(sys.argv[2]), sys.argv[3]
med = lambda xs: st.median(xs)
print(f"\nN={n} JSON readings over 200 sensors; medians of {len(rows) // 6} runs; load average at the end {load}")
print("| QoS | consumer | msg/s (first publish → last stored) | ratio to count | loss | consumer CPU µs/msg (= s per M msgs) | peak RSS MB | generator CPU s (msg/s) | broker CPU s |")
print("|---|---|---|---|---|---|---|---|---|")
label = {"count": "C subscriber, count only", "store": "C subscriber, strtod + 24-byte append", "tinsense": "tinsense run, full pipeline"}
for q in ("0", "1"):
    base = None
    per = {}
    for name in ("count", "store", "tinsense"):
        rs = [r for r in rows if r[0] == q and r[1] == name]
        if not rs: continue
        rate = med([int(r[3]) for r in rs]); cpu = med([float(r[6]) for r in rs]); hwm = med([int(r[7]) for r in rs])
        loss = max(int(r[5]) for r in rs); gcpu = med([float(r[8]) for r in rs]); grate = med([int(r[10]) for r in rs])
        bcpu = med([float(r[9]) for r in rs])
        per[name] = (rate, cpu)
        base = base or rate
        spread = f" ({min(int(r[3]) for r in rs):,}–{max(int(r[3]) for r in rs):,})" if len(rs) > 1 else ""
        print(f"| {q} | {label[name]} | {rate:,.0f}{spread} | {rate / base:.2f}× | {loss} | {cpu / n * 1e6:.2f} | {hwm / 1024:.1f} | {gcpu:.2f} ({grate:,.0f}) | {bcpu:.2f} |")
    if "tinsense" in per and "store" in per and "count" in per:
        t, s, c = per["tinsense"], per["store"], per["count"]
        print(f"QoS {q}: tinsense {t[0] / c[0]:.2f}× count-only msg/s (target ≥ 0.95); CPU per message {t[1] / s[1]:.2f}× the strtod subscriber's (target ≤ 1.5)")
PY
finish PASS "end-to-end benchmark done (load average $LOAD)"
