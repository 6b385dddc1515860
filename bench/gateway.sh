#!/usr/bin/env bash
# Gateway benchmark: one run measures, with wrk, on 127.0.0.1:
#   upstream   the provider directly (a ~1 KB JSON answer)
#   nginx      proxy_pass with keep-alive to the upstream
#   caddy      reverse_proxy with keep-alive to the upstream
#   govdx      govdx gateway: API-key authentication, frequency limit and
#              durable sharing log (group commit into the local journal)
#   govdx-proj the same with field projection (4 of 13 items approved)
# then the latency govdx adds at half its maximum rate (open-loop load,
# p99 through govdx minus p99 direct; Caddy's at the same rate for
# reference), and the gateway's memory with
# 10,000 accounts and 1,000 services. Prints requests/s, p50, p99 and the
# ratios to nginx. Durations are bounded: about 3 minutes in all.
#
# Needs go, curl, wrk, nginx, caddy (Debian: apt-get install -y wrk
# nginx-light caddy; installed automatically when running as root).
# Environment: DURATION (per wrk run, default 10s), CONNECTIONS (default
# 128), THREADS (wrk threads, default 2), PORT_BASE (default 19300).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d /tmp/govdx-bench.XXXXXX)
BIN=$TMP/bin
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-128}
THREADS=${THREADS:-2}
BASE=${PORT_BASE:-19300}
UP=$BASE NGINX=$((BASE + 1)) CADDY=$((BASE + 2)) GW=$((BASE + 3)) OPS=$((BASE + 4))
CONFIG=$TMP/gateway.json
# shellcheck source=lib.sh
. "$ROOT/bench/lib.sh"
trap 'cleanup; [ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT

need=()
for t in wrk nginx caddy curl; do command -v "$t" >/dev/null || need+=("$t"); done
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "installing wrk nginx-light caddy curl (Debian packages)"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light caddy curl >/dev/null
	else
		echo "missing: ${need[*]} (Debian: apt-get install -y wrk nginx-light caddy curl)" >&2
		exit 1
	fi
fi

echo "building govdx and the bench helpers..."
build_tools
"$BIN/upstream" -addr "127.0.0.1:$UP" & PIDS+=($!)
wait_http "http://127.0.0.1:$UP/"
"$BIN/genconfig" -upstream "http://127.0.0.1:$UP" -services 1000 -accounts 10000 -o "$CONFIG"

# nginx: proxy_pass over a keep-alive upstream pool.
mkdir -p "$TMP/nginx"
user=""
[ "$(id -u)" = 0 ] && user="user root;"
cat >"$TMP/nginx/nginx.conf" <<CONF
$user
worker_processes auto;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  upstream up { server 127.0.0.1:$UP; keepalive 256; }
  server {
    listen 127.0.0.1:$NGINX;
    location / {
      proxy_pass http://up;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' & PIDS+=($!)

# Caddy: reverse_proxy with a keep-alive pool as large as nginx's.
cat >"$TMP/Caddyfile" <<CONF
{
	admin off
	auto_https off
	log {
		level ERROR
	}
}
http://127.0.0.1:$CADDY {
	reverse_proxy 127.0.0.1:$UP {
		transport http {
			keepalive 90s
			keepalive_idle_conns 512
			keepalive_idle_conns_per_host 256
		}
	}
}
CONF
XDG_DATA_HOME=$TMP/caddy XDG_CONFIG_HOME=$TMP/caddy caddy run --config "$TMP/Caddyfile" --adapter caddyfile >"$TMP/caddy.log" 2>&1 &
CADDY_PID=$!
PIDS+=("$CADDY_PID")

start_gateway "$GW" "$OPS" "$TMP/gw" bench "$TMP/gw.log"
PIDS+=("$GW_PID")
wait_http "http://127.0.0.1:$NGINX/"
wait_http "http://127.0.0.1:$CADDY/"

# cpu_ticks PID...: user+system CPU ticks used so far by the processes.
cpu_ticks() {
	local s=0 p f
	for p in "$@"; do
		read -r -a f <"/proc/$p/stat" || continue
		s=$((s + f[13] + f[14]))
	done
	echo "$s"
}

# wrk_run NAME URL HEADER PID...: prints "rps p50_ms p99_ms cpu_us", where
# cpu_us is the CPU time the measured server processes used per request:
# unlike requests/s it hardly depends on what else runs on the machine.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.3f", v}'; }
wrk_run() {
	local name=$1 url=$2 hdr=$3
	shift 3
	local args=(-t "$THREADS" -c "$CONNECTIONS" --latency "$url" -H "${hdr:-X-Bench: 1}")
	wrk -d 2s "${args[@]}" >/dev/null # warm-up: pools, caches
	local t0 t1 tick
	tick=$(getconf CLK_TCK)
	t0=$(cpu_ticks "$@")
	wrk -d "$DURATION" "${args[@]}" >"$TMP/wrk-$name.txt"
	t1=$(cpu_ticks "$@")
	set -- "$name"
	local rps p50 p99 errs reqs cpu
	rps=$(awk '/^Requests\/sec/ {print $2}' "$TMP/wrk-$1.txt")
	p50=$(awk '$1=="50%" {print $2}' "$TMP/wrk-$1.txt" | to_ms)
	p99=$(awk '$1=="99%" {print $2}' "$TMP/wrk-$1.txt" | to_ms)
	errs=$(awk '/Non-2xx/ {print $5}' "$TMP/wrk-$1.txt")
	[ -n "$errs" ] && echo "warning: $1 had $errs non-2xx answers" >&2
	reqs=$(awk '/requests in/ {print $1}' "$TMP/wrk-$1.txt")
	cpu=$(awk -v t=$((t1 - t0)) -v r="$reqs" -v k="$tick" 'BEGIN {printf "%.1f", t / k * 1e6 / r}')
	echo "$rps $p50 $p99 $cpu"
}

KEY="X-Api-Key: gdxk_bench_0"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "this machine (bench/machine, in $TMP):"
"$BIN/machine" -dir "$TMP" -n 500 | sed 's/^/  /'
echo "measuring ($DURATION per target, $CONNECTIONS connections, $THREADS wrk threads, $(nproc) CPUs)..."
NGINX_PIDS=$(cat "$TMP/nginx/nginx.pid" && pgrep -P "$(cat "$TMP/nginx/nginx.pid")")
read -r up_rps up_p50 up_p99 up_cpu < <(wrk_run upstream "http://127.0.0.1:$UP/data/x" "" "${PIDS[0]}")
read -r ng_rps ng_p50 ng_p99 ng_cpu < <(wrk_run nginx "http://127.0.0.1:$NGINX/data/x" "" $NGINX_PIDS)
read -r ca_rps ca_p50 ca_p99 ca_cpu < <(wrk_run caddy "http://127.0.0.1:$CADDY/data/x" "" "$CADDY_PID")
read -r gd_rps gd_p50 gd_p99 gd_cpu < <(wrk_run govdx "http://127.0.0.1:$GW/s/bench/x" "$KEY" "$GW_PID")
read -r gp_rps gp_p50 gp_p99 gp_cpu < <(wrk_run govdx-proj "http://127.0.0.1:$GW/s/bench-proj/x" "X-Api-Key: gdxk_bench_1" "$GW_PID")

# Added latency at half of govdx's maximum rate (open loop), and Caddy's at
# the same rate as a reference: a Go proxy that writes no log. 64 workers
# are plenty at these rates (latency counts from each request's scheduled
# time, so a busy client cannot hide a stall); with 256 the load client's
# own scheduling jitter dominated the direct p99.
half=$(awk -v r="$gd_rps" 'BEGIN {printf "%d", r/2}')
"$BIN/loadclient" -url "http://127.0.0.1:$UP/data/x" -rate "$half" -c 64 -d "$DURATION" >"$TMP/half-up.txt"
"$BIN/loadclient" -url "http://127.0.0.1:$GW/s/bench/x" -H "$KEY" -rate "$half" -c 64 -d "$DURATION" >"$TMP/half-gw.txt"
"$BIN/loadclient" -url "http://127.0.0.1:$CADDY/data/x" -rate "$half" -c 64 -d "$DURATION" >"$TMP/half-ca.txt"
field() { tr ' ' '\n' <"$1" | awk -F= -v k="$2" '$1==k {print $2}'; }
hu_p99=$(field "$TMP/half-up.txt" p99_ms); hg_p99=$(field "$TMP/half-gw.txt" p99_ms)
hu_p50=$(field "$TMP/half-up.txt" p50_ms); hg_p50=$(field "$TMP/half-gw.txt" p50_ms)
hc_p99=$(field "$TMP/half-ca.txt" p99_ms); hc_p50=$(field "$TMP/half-ca.txt" p50_ms)
hg_rps=$(field "$TMP/half-gw.txt" rps)

rss=$(awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$GW_PID/status")
hwm=$(awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$GW_PID/status")
entries=$(curl -s "http://127.0.0.1:$OPS/metrics" | awk '/^govdx_gateway_log_append_duration_seconds_count/ {print $2}')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
echo
printf "%-12s %12s %10s %10s %10s %14s\n" target "requests/s" "p50 ms" "p99 ms" "x nginx" "CPU us/request"
printf "%-12s %12.0f %10s %10s %10s %14s\n" upstream "$up_rps" "$up_p50" "$up_p99" "$(ratio "$up_rps" "$ng_rps")" "$up_cpu"
printf "%-12s %12.0f %10s %10s %10s %14s\n" nginx "$ng_rps" "$ng_p50" "$ng_p99" "1.00" "$ng_cpu"
printf "%-12s %12.0f %10s %10s %10s %14s\n" caddy "$ca_rps" "$ca_p50" "$ca_p99" "$(ratio "$ca_rps" "$ng_rps")" "$ca_cpu"
printf "%-12s %12.0f %10s %10s %10s %14s\n" govdx "$gd_rps" "$gd_p50" "$gd_p99" "$(ratio "$gd_rps" "$ng_rps")" "$gd_cpu"
printf "%-12s %12.0f %10s %10s %10s %14s\n" govdx-proj "$gp_rps" "$gp_p50" "$gp_p99" "$(ratio "$gp_rps" "$ng_rps")" "$gp_cpu"
echo "(CPU us/request: the measured server's own CPU time, upstream excluded; load average at start: $LOAD0)"
echo
echo "govdx / caddy throughput:        $(ratio "$gd_rps" "$ca_rps")   (target >= 1.0)"
echo "govdx / nginx throughput:        $(ratio "$gd_rps" "$ng_rps")   (target >= 0.8)"
echo "govdx-proj / nginx throughput:   $(ratio "$gp_rps" "$ng_rps")   (target >= 0.6)"
echo "at half of govdx's maximum ($half req/s offered, $hg_rps served): p50 direct $hu_p50 ms, via govdx $hg_p50 ms;"
echo "  p99 direct $hu_p99 ms, via govdx $hg_p99 ms, added $(awk -v a="$hg_p99" -v b="$hu_p99" 'BEGIN {printf "%.3f", a-b}') ms (target < 2 ms)"
echo "  reference, Caddy at the same rate (no log): p50 $hc_p50 ms, p99 $hc_p99 ms, added $(awk -v a="$hc_p99" -v b="$hu_p99" 'BEGIN {printf "%.3f", a-b}') ms"
echo "govdx memory with 10,000 accounts and 1,000 services: RSS $rss MB, peak $hwm MB (target < 150 MB)"
echo "durable sharing-log entries written during the run: ${entries:-?}"
