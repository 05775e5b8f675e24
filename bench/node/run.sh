#!/usr/bin/env bash
# npm run bench:node — our node against NSD on the same DMP zone, same machine,
# same load generator, in one session. Reports; never asserts.
#
# 1. Builds (npm run build) when dist is missing or older than src.
# 2. gen-data.ts: 10,000 protocol-valid TXT RRs from sealMessage (8,000 chunks,
#    2,000 signed manifests, 10 five-value RRsets; 9,960 names) written into our
#    sqlite store and, with identical names and values, as the zone NSD serves;
#    the query files (all names, and a 20 % NXDOMAIN variant); UPDATE inputs.
# 3. Query load with the anchors' qperf.sh: NSD (1 worker, RRL off) and our node
#    (RRL off) both up, each pinned to CPU 0, dnsperf pinned to CPU 1, rows
#    interleaved NSD/ours: UDP hits, UDP 20 % NXDOMAIN, TCP hits, and latency
#    (p50/p99 from dnsperf -v) at fixed offered rates.
# 4. UPDATE + TSIG with the anchors' uperf.sh (node restarted from the fresh 10k
#    store before every rep): serial nsupdate (1000 adds) and dnsperf -u (5000
#    adds, -c 10 -q 20), key minted with `dnsmesh-node key add`.
# 5. RSS of our node on a 100k-record store (idle, after one query pass), and
#    cold start (spawn -> first dig answer, median of STARTS) on 10k and 100k.
# 6. Markdown tables on stdout and in /tmp/dnsmesh-bench/<stamp>/table.md.
#
# Needs the anchors (../shared/bench/anchors from the repo root, or
# /work/shared/bench/anchors), dnsperf, nsd, nsupdate, dig, taskset.
# Env: REPS (3) SECS (10, ≤ 15) LAT_QPS ("5000 20000") UREPS (3) STARTS (5)
#      BIG (100000; 0 skips the RSS/100k rows) PORT_NSD (15453) PORT_OURS (15480)
#      PORT_OURS_HTTP (15481) SKIP_BUILD=1 BENCH_OUT (/tmp/dnsmesh-bench)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/node"
cd "$ROOT"
die() { echo "bench:node: $*" >&2; exit 2; }

A=""
for c in "$ROOT/../shared/bench/anchors" /work/shared/bench/anchors; do
  if [[ -x "$c/qperf.sh" && -x "$c/uperf.sh" && -x "$c/servers.sh" ]]; then A="$(cd "$c" && pwd)"; break; fi
done
[[ -n "$A" ]] || die "the performance anchors are missing: expected qperf.sh, uperf.sh and servers.sh in
  $ROOT/../shared/bench/anchors or /work/shared/bench/anchors (the shared/ tree beside the repo)"
for t in dnsperf nsd nsd-checkconf nsupdate dig taskset; do
  command -v "$t" >/dev/null || die "$t is not installed (apt-get install -y dnsperf nsd bind9-dnsutils util-linux)"
done

TSX="$ROOT/node_modules/.bin/tsx"
[[ -x "$TSX" ]] || die "tsx is missing: run npm ci first"

REPS=${REPS:-3} SECS=${SECS:-10} LAT_QPS=${LAT_QPS:-"5000 20000"} UREPS=${UREPS:-3}
STARTS=${STARTS:-5} BIG=${BIG:-100000}
((SECS >= 1 && SECS <= 15)) || die "SECS must be 1..15"
export PORT_NSD=${PORT_NSD:-15453} PORT_OURS=${PORT_OURS:-15480} PORT_OURS_HTTP=${PORT_OURS_HTTP:-15481}
for p in "$PORT_NSD" "$PORT_OURS" "$PORT_OURS_HTTP"; do
  if ss -Hlntu "( sport = :$p )" 2>/dev/null | grep -q .; then
    die "port $p is in use on this machine (set PORT_NSD / PORT_OURS / PORT_OURS_HTTP)"
  fi
done

stamp=$(date -u +%Y%m%dT%H%M%SZ)
OUT="${BENCH_OUT:-/tmp/dnsmesh-bench}/$stamp"
DATA="$OUT/data"
mkdir -p "$OUT"
# The anchors' scripts keep configs and PID files under $ANCHORS: ours, so a
# concurrent anchors run elsewhere is never touched.
export ANCHORS="$OUT/anchors" ANCHORS_DATA="$DATA/zone" ANCHORS_ZONE=mesh.test
export OURS_DIR="$OUT/ours"
mkdir -p "$ANCHORS"
LOG="$OUT/log.txt"
exec > >(tee -a "$LOG") 2>&1

cleanup() {
  bash "$HERE/ours.sh" stop || true
  "$A/servers.sh" stop nsd || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. build ---------------------------------------------------------------
main_js="$ROOT/dist/cli/node-main.js"
if [[ -z "${SKIP_BUILD:-}" ]] &&
  { [[ ! -s "$main_js" ]] || [[ -n "$(find src -name '*.ts' -newer "$main_js" -print -quit)" ]]; }; then
  echo "== npm run build (dist missing or older than src)"
  marker="$OUT/.build-start"; : >"$marker"
  if ! npm run build >"$OUT/build.log" 2>&1; then
    if [[ -s "$main_js" && "$main_js" -nt "$marker" ]]; then
      echo "bench:node: WARNING: the build reported type errors (see $OUT/build.log, first lines below);"
      echo "  the bins were still bundled (esbuild does not check types), benchmarking them."
      grep -m5 'error TS' "$OUT/build.log" | sed 's/^/  /' || true
    else
      tail -20 "$OUT/build.log"; die "npm run build failed and emitted no dist/cli/node-main.js"
    fi
  fi
fi
[[ -s "$main_js" ]] || die "no $main_js"

# Busy share of all CPUs over 2 s (other sessions share this machine).
busy_sample() {
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat)
  sleep 2
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; printf "%.0f", t ? 100 * (y[1] - x[1]) / t : 0 }'
}
# utime+stime ticks of one PID (our node is a single process).
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

pin_srv=0 pin_cli=1
if (($(nproc) < 2)); then
  echo "bench:node: WARNING: fewer than 2 CPUs, nothing pinned"; pin_srv="" pin_cli=""
fi
P=(); [[ -n "$pin_cli" ]] && P=(-P "$pin_cli")

{
  echo "stamp=$stamp"
  echo "git=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') dirty_files=$(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l)"
  echo "node=$(node --version) nsd=$(nsd -v 2>&1 | head -1) dnsperf=$(dpkg-query -W -f '${Version}' dnsperf 2>/dev/null || echo '?')"
  echo "cpus=$(nproc) model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
  echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg) box_busy_before=$(busy_sample)% (2 s idle sample: other work on the machine)"
  echo "config REPS=$REPS SECS=$SECS LAT_QPS=$LAT_QPS UREPS=$UREPS STARTS=$STARTS BIG=$BIG"
  echo "anchors=$A"
} >"$OUT/env.txt"
echo "== results in $OUT"; cat "$OUT/env.txt"

# --- 2. data ----------------------------------------------------------------
echo "== generating the zone, store and query files (gen-data.ts)"
"$TSX" "$HERE/gen-data.ts" --out "$DATA" --big "$BIG" 2>&1 | grep -v '^npm warn'
[[ -s "$DATA/node10k/dnsmesh.db" ]] || die "gen-data.ts wrote no store"

# TSIG key for UPDATE, minted by the node's own CLI into the pristine 10k store.
node "$main_js" key add bench-key --data-dir "$DATA/node10k" --zone mesh.test >"$OUT/bench-key.conf"
key_name=$(sed -n 's/^key "\(.*\)" {.*/\1/p' "$OUT/bench-key.conf")
key_secret=$(sed -n 's/.*secret "\(.*\)";.*/\1/p' "$OUT/bench-key.conf")
[[ -n "$key_name" && -n "$key_secret" ]] || die "could not read the key from 'key add' output"
TSIG="hmac-sha256:$key_name:$key_secret"

# --- 3. query load ----------------------------------------------------------
echo "== starting NSD (1 worker, RRL off) and our node, each on CPU ${pin_srv:-any}"
"$A/servers.sh" start nsd 1 "$pin_srv"
bash "$HERE/ours.sh" start "$DATA/node10k" "$pin_srv"
nsd_pid="$ANCHORS/nsd/run.pid" ours_pid="$OURS_DIR/run.pid"
QT="$OUT/queries.tsv"; : >"$QT"

q() { # server workload queryfile qperf-options...
  local srv=$1 wl=$2 qf=$3; shift 3
  local port=$PORT_OURS pidf=$ours_pid place="1t,cpu${pin_srv:-any}"
  [[ $srv == nsd ]] && { port=$PORT_NSD pidf=$nsd_pid place="1w,cpu${pin_srv:-any}"; }
  RESULTS="$QT" "$A/qperf.sh" -L "$srv|$place|$wl" "${P[@]}" -S "$pidf" "$@" 127.0.0.1 "$port" "$qf"
}
for wl in udp-hit udp-nx20 tcp-hit; do
  qf="$DATA/queries-hit.txt"; mode=udp
  [[ $wl == udp-nx20 ]] && qf="$DATA/queries-nx20.txt"
  [[ $wl == tcp-hit ]] && mode=tcp
  for srv in nsd ours; do
    echo "-- $srv $wl"
    q "$srv" "$wl" "$qf" -m "$mode" -r "$REPS" -l "$SECS"
  done
done
for rate in $LAT_QPS; do
  for srv in nsd ours; do
    echo "-- $srv udp-hit @$rate qps"
    q "$srv" "udp-hit@${rate}qps" "$DATA/queries-hit.txt" -Q "$rate" -V -r "$REPS" -l 5
  done
done

X="$OUT/extra.tsv"; : >"$X"
rss() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }
opid=$(cat "$ours_pid")
printf 'rss10k_after_load_kb\t%s\nhwm10k_after_load_kb\t%s\n' "$(rss "$opid" VmRSS)" "$(rss "$opid" VmHWM)" >>"$X"
"$A/servers.sh" stop nsd
bash "$HERE/ours.sh" stop

# --- 4. UPDATE + TSIG -------------------------------------------------------
echo "== UPDATE + TSIG ($key_name), node restarted from the fresh 10k store before each rep"
UT="$OUT/updates.tsv"; : >"$UT"
restart="bash '$HERE/ours.sh' start '$DATA/node10k' '$pin_srv'"
RESULTS="$UT" "$A/uperf.sh" -L "ours|1t,cpu${pin_srv:-any}" -r "$UREPS" "${P[@]}" -k "$TSIG" -B "$restart" \
  nsupdate 127.0.0.1 "$PORT_OURS" "$DATA/updates.nsupdate" || echo "bench:node: nsupdate run failed"
RESULTS="$UT" "$A/uperf.sh" -L "ours|1t,cpu${pin_srv:-any}" -r "$UREPS" "${P[@]}" -k "$TSIG" -B "$restart" \
  dnsperf 127.0.0.1 "$PORT_OURS" "$DATA/updates.dnsperf" || echo "bench:node: dnsperf -u run failed"
# Where the serial time goes: three more serial nsupdate passes on one node
# start, with the node's and nsupdate's CPU time over the 1st (a fresh node,
# as in the runs above) and the 3rd (the same node after 2,000 UPDATEs, once
# V8 has optimised the UPDATE path). Later passes rename the owners (w2-…,
# w3-…) so every pass adds new records.
bash "$HERE/ours.sh" start "$DATA/node10k" "$pin_srv" >/dev/null
opid=$(cat "$ours_pid")
n_upd=$(grep -c '^send' "$DATA/updates.nsupdate")
cpin=(); [[ -n "$pin_cli" ]] && cpin=(taskset -c "$pin_cli")
hz=$(getconf CLK_TCK)
TIMEFORMAT='%U %S'
serial_pass() { # pass key-prefix (empty: not recorded)
  local pass=$1 key=$2 prefix="" s0 s1 w0 w1 cu cs
  ((pass > 1)) && prefix="w$pass-"
  { printf 'server 127.0.0.1 %s\nzone mesh.test.\n' "$PORT_OURS"
    sed "s/^update add /update add $prefix/" "$DATA/updates.nsupdate"; } >"$OUT/nsupdate.script"
  s0=$(ticks "$opid") w0=$(date +%s%N)
  { time timeout 300 "${cpin[@]}" nsupdate -t 5 -y "$TSIG" "$OUT/nsupdate.script" >"$OUT/nsupdate.out" 2>&1; } 2>"$OUT/nsupdate.time" || true
  w1=$(date +%s%N) s1=$(ticks "$opid")
  [[ -n "$key" ]] || return 0
  read -r cu cs <"$OUT/nsupdate.time"
  awk -v k="$key" -v n="$n_upd" -v w="$((w1 - w0))" -v st="$((s1 - s0))" -v hz="$hz" -v cu="$cu" -v cs="$cs" 'BEGIN {
    printf "%s_updates\t%d\n%s_wall_ms_per_update\t%.3f\n%s_server_cpu_ms_per_update\t%.3f\n%s_client_cpu_ms_per_update\t%.3f\n",
      k, n, k, w / 1e6 / n, k, 1000 * st / hz / n, k, 1000 * (cu + cs) / n }' >>"$X"
}
serial_pass 1 diag
serial_pass 2 ""
serial_pass 3 diag_warm
bash "$HERE/ours.sh" stop

# --- 5. RSS at 100k records, cold start ---------------------------------------
if ((BIG > 0)); then
  echo "== RSS with $(sed -n 's/^big_store txt_rrs=\([0-9]*\).*/\1/p' "$DATA/stats.txt") records"
  bash "$HERE/ours.sh" start "$DATA/node-big" "$pin_srv"
  opid=$(cat "$ours_pid")
  sleep 1
  printf 'rss_big_idle_kb\t%s\n' "$(rss "$opid" VmRSS)" >>"$X"
  pass="$OUT/big-pass.txt"
  cpin=(); [[ -n "$pin_cli" ]] && cpin=(taskset -c "$pin_cli")
  timeout 40 "${cpin[@]}" dnsperf -s 127.0.0.1 -p "$PORT_OURS" \
    -d "$DATA/queries-big.txt" -n 1 -l 15 -c 10 -q 100 -T 1 -t 2 -e -W >"$pass" 2>&1 || true
  printf 'rss_big_after_pass_kb\t%s\nhwm_big_kb\t%s\n' "$(rss "$opid" VmRSS)" "$(rss "$opid" VmHWM)" >>"$X"
  awk '/Queries completed:/ { printf "big_pass_completed\t%s\n", $3 } /Queries sent:/ { printf "big_pass_sent\t%s\n", $3 }
       /Queries per second:/ { printf "big_pass_qps\t%.0f\n", $4 }' "$pass" >>"$X"
  printf 'big_db_bytes\t%s\n' "$(stat -c %s "$DATA/node-big/dnsmesh.db")" >>"$X"
  bash "$HERE/ours.sh" stop
fi
echo "== cold start: spawn -> first dig answer, $STARTS times"
stores=(node10k); ((BIG > 0)) && stores+=(node-big)
for store in "${stores[@]}"; do
  for i in $(seq 1 "$STARTS"); do
    line=$(bash "$HERE/ours.sh" start "$DATA/$store" "$pin_srv")
    echo "$store $i $line"
    printf 'start_%s_ms\t%s\n' "$store" "${line##*first_answer_ms=}" >>"$X"
    bash "$HERE/ours.sh" stop
  done
done
printf 'records10k\t%s\n' "$(sed -n 's/^txt_rrs=\([0-9]*\).*/\1/p' "$DATA/stats.txt")" >>"$X"

# --- 6. report --------------------------------------------------------------
echo
"$TSX" "$HERE/report.ts" "$OUT" | tee "$OUT/table.md"
# The node's working copies and the 100k store are large and can be regenerated.
rm -rf "$OURS_DIR/data" "$DATA/node-big"
echo
echo "saved: $OUT/{table.md,queries.tsv,updates.tsv,extra.tsv,env.txt,log.txt} and data/"
