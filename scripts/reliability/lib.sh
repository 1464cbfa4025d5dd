# Shared pieces of the reliability scripts (sourced, not run): binaries, a private mosquitto,
# a daemon config, waiting, and the published-vs-stored check. Everything listens on
# 127.0.0.1 only and lives under $WORK (a fresh temporary directory unless given).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${WORK:-$(mktemp -d /tmp/tinsense-reliability.XXXXXX)}"
mkdir -p "$WORK"
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# The tinsense executable: $TINSENSE_BIN, else a release build (built if missing).
tinsense_bin() {
    if [ -n "${TINSENSE_BIN:-}" ]; then echo "$TINSENSE_BIN"; return; fi
    local bin="$ROOT/.build/release/tinsense"
    if [ ! -x "$bin" ]; then
        log "building tinsense (release)" >&2
        (cd "$ROOT" && swift build -c release --product tinsense 2>&1 | grep -E "error:|Build complete" >&2)
    fi
    echo "$bin"
}

# The load generator, compiled from loadgen.c next to this file.
loadgen_bin() {
    local bin="$WORK/loadgen"
    [ -x "$bin" ] || cc -O2 -o "$bin" "$ROOT/scripts/reliability/loadgen.c" -lmosquitto
    echo "$bin"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_broker PORT [bench]: a mosquitto in $WORK/broker; sets BROKER_PID. Default: persistence
# on (the reliability scripts kill and restart it) and deep queues. `bench`: what the throughput
# benchmarks want: no persistence, no queue, in-flight or memory limit, errors and warnings only
# in its log, so the broker is never what throttles the figures.
start_broker() {
    local port="$1" profile="${2:-reliable}" dir="$WORK/broker"
    mkdir -p "$dir"
    local user=""
    [ "$(id -u)" = 0 ] && user="user root"
    if [ "$profile" = bench ]; then
        cat >"$dir/mosquitto.conf" <<CONF
$user
listener $port 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_queued_bytes 0
max_inflight_messages 0
memory_limit 0
log_dest file $dir/mosquitto.log
log_type error
log_type warning
CONF
    else
        cat >"$dir/mosquitto.conf" <<CONF
$user
listener $port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $dir/
autosave_interval 1
max_queued_messages 10000000
max_queued_bytes 0
max_inflight_messages 100
log_dest file $dir/mosquitto.log
log_type error
log_type warning
log_type notice
log_type information
CONF
    fi
    mosquitto -c "$dir/mosquitto.conf" &
    BROKER_PID=$!
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    log "mosquitto did not start"; return 1
}

# write_config PORT NAME [EXTRA_TOML]: a daemon config for loadgen's topics (kl/line<L>/s<N>).
write_config() {
    local port="$1" name="$2" extra="${3:-}"
    mkdir -p "$WORK/data"
    cat >"$WORK/tinsense.toml" <<CONF
[daemon]
data_dir = "$WORK/data"
log_level = "info"
stats_interval_s = 1

[mqtt]
broker = "mqtt://127.0.0.1:$port"
client_id = "tinsense-rel-$name"
qos = 1
clean_session = false
keepalive_s = 5
subscribe = ["kl/#"]
status_topic = "tinsense/$name/status"
reconnect_min_s = 1
reconnect_max_s = 2

[storage]
fsync_interval_ms = 50
seal_interval_s = 60

[validation]
max_past_age_s = 604800

[[sensor]]
topic = "kl/{line}/{sensor}"
id = "{line}/{sensor}"
stale_after_s = 0
$extra
CONF
}

# start_daemon LOGNAME: runs tinsense on $WORK; sets DAEMON_PID.
start_daemon() {
    "$TINSENSE" run --config "$WORK/tinsense.toml" --data "$WORK/data" >>"$WORK/$1.log" 2>&1 &
    DAEMON_PID=$!
}

# wait_online PORT NAME: until the daemon's retained status says online (it has subscribed).
wait_online() {
    for _ in $(seq 60); do
        [ "$(mosquitto_sub -h 127.0.0.1 -p "$1" -t "tinsense/$2/status" -C 1 -W 1 2>/dev/null)" = online ] && return 0
        sleep 0.5
    done
    log "daemon never came online"; return 1
}

# messages_seen LOGFILE: the newest stats line's messages= figure.
messages_seen() { grep -oE 'messages=[0-9]+' "$1" 2>/dev/null | tail -1 | cut -d= -f2; }

# wait_quiet LOGFILE [SECONDS]: until the messages counter stops moving for 5 s.
wait_quiet() {
    local last=-1 still=0
    for _ in $(seq "${2:-600}"); do
        local now; now="$(messages_seen "$1")"; now="${now:-0}"
        if [ "$now" = "$last" ] && [ "$now" != 0 ]; then still=$((still + 1)); else still=0; fi
        [ "$still" -ge 5 ] && return 0
        last="$now"; sleep 1
    done
    return 1
}

# check_stored EXPECTED START_MS MODE: exports $WORK/data and compares (see compare.py).
check_stored() {
    "$TINSENSE" export --data "$WORK/data" --format csv >"$WORK/export.csv"
    python3 "$ROOT/scripts/reliability/compare.py" "$1" "$WORK/export.csv" "$2" "$3"
}

# quarantine_reasons: "reason=count ..." over the quarantine log.
quarantine_reasons() {
    python3 - "$WORK/data/quarantine/quarantine.jsonl" <<'PY'
import json, sys, collections
c = collections.Counter()
try:
    for line in open(sys.argv[1]):
        c[json.loads(line).get("reason", "?")] += 1
except FileNotFoundError:
    pass
print(" ".join(f"{k}={v}" for k, v in sorted(c.items())) or "none")
PY
}

# Stops whatever the script started (daemon, load, broker; resumes a paused broker first) and
# unmounts $WORK/data when it is a mount. Installed as the EXIT trap.
stop_all() {
    set +e
    [ -n "${BROKER_PID:-}" ] && kill -CONT "$BROKER_PID" 2>/dev/null
    [ -n "${LOADGEN_PID:-}" ] && kill -9 "$LOADGEN_PID" 2>/dev/null
    [ -n "${DAEMON_PID:-}" ] && kill -9 "$DAEMON_PID" 2>/dev/null
    [ -n "${BROKER_PID:-}" ] && kill "$BROKER_PID" 2>/dev/null
    wait 2>/dev/null
    mountpoint -q "$WORK/data" 2>/dev/null && umount "$WORK/data"
    LOADGEN_PID= DAEMON_PID= BROKER_PID=
    return 0
}
trap stop_all EXIT

# finish PASS|FAIL MESSAGE: stops everything; on PASS removes $WORK and exits 0, else keeps it
# for a look and exits 1.
finish() {
    stop_all
    if [ "$1" = PASS ]; then log "PASS: $2"; rm -rf "$WORK"; exit 0; fi
    log "FAIL: $2; work directory kept: $WORK"; exit 1
}
