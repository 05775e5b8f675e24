#!/usr/bin/env bash
# Start/stop our node (built JS) for bench/node/run.sh, on loopback only.
#
#   ours.sh start STORE_DIR [CPUS]   fresh copy of STORE_DIR (holding dnsmesh.db)
#                                    into $OURS_DIR/data, start the node there
#                                    (pinned with taskset -c CPUS when given),
#                                    wait for the first TXT answer
#   ours.sh stop                     kill the PID we recorded (TERM, then KILL)
#
# Prints "started ours pid=N first_answer_ms=T": T runs from just before the
# spawn to the first successful `dig` answer for a stored name (polled from
# CPU 1 when pinned). Env: OURS_DIR (run directory, required), PORT_OURS (DNS,
# default 15480), PORT_OURS_HTTP (default 15481), OURS_PROBE (name to ask;
# default the first line of STORE_DIR/../names.txt). The node runs with RRL and
# the per-network response byte budget off (DMP_DNS_RRL_RATE=0,
# DMP_DNS_RESPONSE_BYTES_PER_NETWORK=0, as the anchors' NSD) and without UPDATE budgets (the
# write rows measure the write path, not the budgets), answer TTL 300 and an
# apex SOA/NS/A so negative answers carry the SOA like NSD's.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${OURS_DIR:?OURS_DIR must name the run directory}"
PORT_OURS="${PORT_OURS:-15480}"
PORT_OURS_HTTP="${PORT_OURS_HTTP:-15481}"
pidfile="$OURS_DIR/run.pid"

stop() {
  [[ -s "$pidfile" ]] || return 0
  local pid i
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

start() {
  local src=$1 cpus=${2:-} probe pin=() dpin=() t0 t1 i
  [[ -s "$src/dnsmesh.db" ]] || { echo "ours.sh: no $src/dnsmesh.db" >&2; exit 2; }
  [[ -s "$ROOT/dist/cli/node-main.js" ]] || { echo "ours.sh: build first (npm run build)" >&2; exit 2; }
  probe=${OURS_PROBE:-$(head -1 "$src/../names.txt")}
  stop
  rm -rf "$OURS_DIR/data"; mkdir -p "$OURS_DIR"
  cp -r "$src" "$OURS_DIR/data"
  if [[ -n "$cpus" ]]; then
    pin=(taskset -c "$cpus")
    (($(nproc) > 1)) && dpin=(taskset -c 1)
  fi
  t0=$(date +%s%N)
  DMP_DNS_RRL_RATE=0 DMP_DNS_RESPONSE_BYTES_PER_NETWORK=0 DMP_UPDATE_RATE=0 DMP_UPDATE_RATE_PER_NETWORK=0 DMP_TSIG_KEY_RATE=0 \
    DMP_DNS_TTL=300 DMP_DNS_APEX_NS="ns1.mesh.test" \
    DMP_DNS_APEX_SOA_RNAME="hostmaster.mesh.test" DMP_DNS_APEX_A=127.0.0.1 \
    "${pin[@]}" node "$ROOT/dist/cli/node-main.js" --data-dir "$OURS_DIR/data" --zone mesh.test \
    --dns-host 127.0.0.1 --dns-port "$PORT_OURS" --http-port "$PORT_OURS_HTTP" \
    --log-level warn >"$OURS_DIR/node.log" 2>&1 &
  echo $! >"$pidfile"
  for i in $(seq 1 3000); do
    if "${dpin[@]}" dig +tries=1 +time=1 +short -p "$PORT_OURS" @127.0.0.1 "$probe" TXT 2>/dev/null |
      grep -q '^"'; then
      t1=$(date +%s%N)
      echo "started ours pid=$(cat "$pidfile") first_answer_ms=$(((t1 - t0) / 1000000))"
      return 0
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || break
  done
  cat "$OURS_DIR/node.log" >&2
  stop
  echo "ours.sh: node did not answer $probe on 127.0.0.1:$PORT_OURS" >&2
  exit 1
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) sed -n '2,17p' "$0"; exit 64 ;;
esac
