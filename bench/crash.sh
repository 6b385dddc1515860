#!/usr/bin/env bash
# Crash and fault test of the gateway (bounded, well under 2 minutes):
#  1. kill -9 the gateway during load; after restart `govdx log verify`
#     passes and every call the load client saw succeed has its log entry
#     (D47-45: no response is released before its entry is durable);
#  2. upstream down -> 502 upstream_error, upstream slow -> 504
#     upstream_timeout at the configured limit, both logged;
#  3. a slow-header client is cut off; an oversized body gets 413, logged.
# Needs: go, curl. Exit status 0 when every check passes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d /tmp/govdx-crash.XXXXXX)
BIN=$TMP/bin
BASE=${PORT_BASE:-19400}
UP=$BASE GW=$((BASE + 1)) OPS=$((BASE + 2))
CONFIG=$TMP/gateway.json
DATA=$TMP/data
# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"
trap 'cleanup; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$TMP/gw1.log" ] && tail -n 20 "$TMP"/gw*.log >&2; exit 1; }

echo "== build"
build_tools
"$BIN/upstream" -addr "127.0.0.1:$UP" & PIDS+=($!)
wait_http "http://127.0.0.1:$UP/"
"$BIN/genconfig" -upstream "http://127.0.0.1:$UP" -down "http://127.0.0.1:$((BASE + 9))" \
	-services 20 -accounts 100 -slow-timeout 500ms -o "$CONFIG"
KEY="X-Api-Key: gdxk_bench_0"

echo "== 1. kill -9 during load"
start_gateway "$GW" "$OPS" "$DATA" crash-node "$TMP/gw1.log"
"$BIN/loadclient" -url "http://127.0.0.1:$GW/s/bench/x" -H "$KEY" -c 32 -d 6s -record "$TMP/ok1.txt" >"$TMP/load1.txt" &
LOAD=$!
sleep 2.5
kill -9 "$GW_PID"
wait "$GW_PID" 2>/dev/null || true
echo "   gateway killed (pid $GW_PID) under load"
sleep 1
start_gateway "$GW" "$OPS" "$DATA" crash-node "$TMP/gw2.log"
wait "$LOAD"
echo "   load: $(cat "$TMP/load1.txt")"
"$BIN/loadclient" -url "http://127.0.0.1:$GW/s/bench/x" -H "$KEY" -c 8 -d 1s -record "$TMP/ok2.txt" >"$TMP/load2.txt"
echo "   after restart: $(cat "$TMP/load2.txt")"
[ -s "$TMP/ok1.txt" ] || fail "no successful call before the crash"

echo "== 2. faults"
code() { curl -s -o "$TMP/body" -w '%{http_code}' --max-time 10 "$@"; }
c=$(code -H "X-Api-Key: gdxk_bench_3" "http://127.0.0.1:$GW/s/down/x"); [ "$c" = 502 ] || fail "upstream down: $c"
grep -q '"upstream_error"' "$TMP/body" || fail "upstream down: $(cat "$TMP/body")"
start=$(date +%s%N)
c=$(code -H "X-Api-Key: gdxk_bench_2" "http://127.0.0.1:$GW/s/slow?delay=3s"); [ "$c" = 504 ] || fail "upstream slow: $c"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -q '"upstream_timeout"' "$TMP/body" || fail "upstream slow: $(cat "$TMP/body")"
echo "   upstream down -> 502 upstream_error; upstream slow -> 504 upstream_timeout after ${ms} ms (limit 500 ms)"
head -c 100000 /dev/zero | tr '\0' x >"$TMP/big"
c=$(code -X POST -H "$KEY" --data-binary @"$TMP/big" "http://127.0.0.1:$GW/s/bench/x"); [ "$c" = 413 ] || fail "oversized body: $c"
echo "   oversized body -> 413"
exec 3<>"/dev/tcp/127.0.0.1/$GW"
printf 'GET /s/bench/x HTTP/1.1\r\nHost: gw\r\n' >&3
if timeout 10 cat <&3 >/dev/null; then echo "   slow-header client cut off"; else fail "slow-header client was not cut off"; fi
exec 3>&-

echo "== 3. stop, verify, check"
kill -TERM "$GW_PID"; wait "$GW_PID" || fail "gateway did not stop cleanly"
"$BIN/govdx" log verify --data "$DATA" || fail "govdx log verify"
"$BIN/logcheck" -data "$DATA" -code upstream_error -code upstream_timeout -code body_too_large "$TMP/ok1.txt" "$TMP/ok2.txt" ||
	fail "log check"
echo "PASS"
