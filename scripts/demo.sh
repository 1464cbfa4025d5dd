#!/usr/bin/env bash
# The tinsense demo: a private mosquitto on a free loopback port, the daemon, and the simulated
# tin pilot plant publishing for about a minute with a few injected faults. Shows the daemon's
# log and its alerts as they happen, then what was stored and quarantined.
# Stops everything it started. Nothing leaves 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DEMO_DURATION:-60s}"

bash scripts/install-deps.sh
echo "== building tinsense"
swift build 2>&1 | tail -1
BIN="$(swift build --show-bin-path)/tinsense"

WORK="$(mktemp -d /tmp/tinsense-demo.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    echo "== demo files kept in $WORK"
}
trap cleanup EXIT

# As root, mosquitto would drop to its own user and could not write in $WORK.
USER_LINE=""
[[ $(id -u) -eq 0 ]] && USER_LINE="user root"
cat > "$WORK/mosquitto.conf" <<CONF
$USER_LINE
listener $PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $WORK/
max_queued_messages 1000000
log_dest file $WORK/mosquitto.log
CONF
echo "== starting a private mosquitto on 127.0.0.1:$PORT"
mosquitto -c "$WORK/mosquitto.conf" & pids+=($!)
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done

# The example config, with a shorter stats interval so the demo shows progress.
sed -e 's/^stats_interval_s = .*/stats_interval_s = 5/' config/tinsense.toml > "$WORK/tinsense.toml"
"$BIN" check-config "$WORK/tinsense.toml"

echo "== starting the daemon (log: $WORK/daemon.log)"
"$BIN" run --config "$WORK/tinsense.toml" --broker "mqtt://127.0.0.1:$PORT" --data "$WORK/data" 2> "$WORK/daemon.log" &
DAEMON=$!
pids+=($DAEMON)
sleep 1
tail -n +1 -F "$WORK/daemon.log" 2>/dev/null | sed -u 's/^/[daemon] /' & pids+=($!)
touch "$WORK/data/alerts.jsonl"
"$BIN" alerts --file "$WORK/data/alerts.jsonl" --follow & pids+=($!)

echo "== simulating the pilot plant for $DURATION with faults (labels: $WORK/labels.csv)"
"$BIN" simulate --broker "mqtt://127.0.0.1:$PORT" --duration "$DURATION" --seed 42 \
    --faults 'spike:crusher01/vibration@20s+3s,step:cell02/pulp_ph@30s+20s,malformed:*/feed_rate@25s+2s,out_of_range:table01/*@35s+2s,trip:crusher02@40s+15s' \
    --labels "$WORK/labels.csv"

echo "== stopping the daemon (SIGTERM: drain, seal, exit)"
kill -TERM "$DAEMON"
wait "$DAEMON" || true
sleep 0.5

echo
echo "== what was stored (tinsense inspect)"
"$BIN" inspect --data "$WORK/data" || true
echo
echo "== first stored readings (tinsense export --format csv)"
"$BIN" export --data "$WORK/data" --format csv | head -8 || true
echo
echo "== alert transitions: $(wc -l < "$WORK/data/alerts.jsonl") in $WORK/data/alerts.jsonl"
echo
echo "== quarantined readings by reason"
if [[ -s "$WORK/data/quarantine/quarantine.jsonl" ]]; then
    python3 - "$WORK/data/quarantine/quarantine.jsonl" <<'PY'
import collections, json, sys
c = collections.Counter(json.loads(l)["reason"] for l in open(sys.argv[1]))
for reason, n in c.most_common(): print(f"  {reason:16} {n}")
PY
    echo "  e.g.: $(head -1 "$WORK/data/quarantine/quarantine.jsonl")"
else
    echo "  none"
fi
