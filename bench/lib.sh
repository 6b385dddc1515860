# Shared helpers of bench/gateway.sh and bench/crash.sh (sourced).

# build_tools builds govdx and the bench helpers into $BIN.
build_tools() {
	mkdir -p "$BIN"
	(cd "$ROOT" && go build -o "$BIN/govdx" ./cmd/govdx &&
		go build -o "$BIN/upstream" ./bench/upstream &&
		go build -o "$BIN/genconfig" ./bench/genconfig &&
		go build -o "$BIN/loadclient" ./bench/loadclient &&
		go build -o "$BIN/logcheck" ./bench/logcheck &&
		go build -o "$BIN/machine" ./bench/machine)
}

# wait_http URL [seconds]: poll until the URL answers.
wait_http() {
	local url=$1 n=${2:-10}
	for _ in $(seq $((n * 10))); do
		if curl -s -o /dev/null --max-time 1 "$url"; then return 0; fi
		sleep 0.1
	done
	echo "timed out waiting for $url" >&2
	return 1
}

# start_gateway PORT OPSPORT DATADIR NODE LOGFILE: runs govdx gateway on
# the config file $CONFIG in the background; sets GW_PID.
start_gateway() {
	if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$2/readyz" || curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; then
		echo "port $1 or $2 is already in use (set PORT_BASE)" >&2
		return 1
	fi
	"$BIN/govdx" gateway --config-file "$CONFIG" --data "$3" --node "$4" --db "" \
		--gateway-addr "127.0.0.1:$1" --ops-addr "127.0.0.1:$2" --log-level warn \
		--upstream-timeout 5s --max-body 65536 --read-header-timeout 1s >"$5" 2>&1 &
	GW_PID=$!
	wait_http "http://127.0.0.1:$2/readyz" 20 && kill -0 "$GW_PID"
}

# cleanup kills the background processes this script started.
PIDS=()
cleanup() {
	for p in "${PIDS[@]}" ${GW_PID:-}; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
