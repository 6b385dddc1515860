#!/usr/bin/env bash
# A new agency, end to end, with curl (docs/gateway.md#walkthrough-a-new-agency-with-curl):
# the city's IT unit sets up the Department of Construction and its officer,
# the officer asks for two data items of the demo service, the provider
# approves, the new connection account calls the service through the gateway
# and gets only those two items, the provider suspends the agency and the
# same call is refused with the announced restoration time, and the agency's
# call history shows both calls. Then run `govdx log verify`.
#
# Run it against `govdx serve --demo`; run again on the same install, it
# creates DN.SXD-2, DN.SXD-3... and their officers. Needs curl and jq. Environment:
# API (default http://127.0.0.1:8080/api/v1), GATEWAY (http://127.0.0.1:8081).
# Each step checks its answer and the script stops at the first surprise.
set -euo pipefail
API=${API:-http://127.0.0.1:8080/api/v1}
GATEWAY=${GATEWAY:-http://127.0.0.1:8081}
SERVICE=dn-stc.dkkd.tra-cuu-doanh-nghiep
JARS=$(mktemp -d)
trap 'rm -rf "$JARS"' EXIT

fail() { echo "FAILED: $*" >&2; exit 1; }

# token USER PASSWORD: logs in, creates a one-day API token, prints its secret.
token() {
	local csrf
	csrf=$(curl -sf -c "$JARS/$1" -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"$2\"}" "$API/session" | jq -r .csrf_token)
	curl -sf -b "$JARS/$1" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
		-d '{"name":"walkthrough","expires_in_days":1}' "$API/me/tokens" | jq -r .secret
}

# api TOKEN CURL-ARGS...: an API call with that bearer token; fails on 4xx/5xx
# and shows the problem+json.
api() {
	local tok=$1 out
	shift
	out=$(curl -sS -w '\n%{http_code}' -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "$@")
	case "${out##*$'\n'}" in
	2??) printf '%s\n' "${out%$'\n'*}" ;;
	*) fail "$* answered ${out##*$'\n'}: ${out%$'\n'*}" ;;
	esac
}

# call NAME STATUS JQ: calls the service through the gateway with the
# account's key, shows the answer, checks its status and prints JQ of its body.
call() {
	curl -sS -i -H "X-Api-Key: $KEY" "$GATEWAY/s/$SERVICE/0401234567" | tee "$JARS/$1" >&2
	echo >&2
	grep -q "^HTTP/1.1 $2" "$JARS/$1" || fail "the call answered $(head -1 "$JARS/$1"), want $2"
	sed '1,/^\r$/d' "$JARS/$1" | jq -c -r "$3"
}

# A first run creates DN.SXD and xaydung.consumer; later runs number them.
CODE=DN.SXD OFFICER=xaydung.consumer
for n in $(seq 2 99); do
	taken=$(curl -sf "$API/orgs?q=$CODE" | jq --arg c "$CODE" '[.items[] | select(.code == $c)] | length')
	[ "$taken" = 0 ] && break
	CODE=DN.SXD-$n OFFICER=xaydung$n.consumer
done

echo "1. danang.it creates the Department of Construction ($CODE), its officer and the officer's role"
IT=$(token danang.it govdx-demo-2026)
CITY=$(api "$IT" "$API/me" | jq .user.org_id)
ORG=$(api "$IT" "$API/orgs" -d "{\"code\":\"$CODE\",\"name\":\"Sở Xây dựng Đà Nẵng\",\"kind\":\"department\",
  \"parent_id\":$CITY,\"admin_unit_code\":\"48\",\"focal_point\":{\"name\":\"Trần Văn Bình\",
  \"position\":\"Chánh Văn phòng\",\"phone\":\"0236 3822 111\",\"email\":\"binhtv@danang.gov.vn\"}}" | jq .id)
USER=$(api "$IT" "$API/users" -d "{\"org_id\":$ORG,\"username\":\"$OFFICER\",\"full_name\":\"Trần Văn Bình\",
  \"email\":\"binhtv@danang.gov.vn\",\"password\":\"Xay-dung-2026-an-toan\"}" | jq .id)
api "$IT" "$API/users/$USER/grants" -d "{\"role\":\"consumer_officer\",\"org_id\":$ORG}" >/dev/null
echo "   organisation $ORG, user $USER ($OFFICER, consumer_officer)"

echo "2. the officer asks for two items of the demo service; taichinh.provider approves"
SXD=$(token "$OFFICER" Xay-dung-2026-an-toan)
SERVICE_ID=$(curl -sf "$API/catalog/services/$SERVICE" | jq .id)
REQUEST=$(api "$SXD" "$API/requests" -d "{\"service_id\":$SERVICE_ID,\"items\":[\"ma_so_thue\",\"ten_doanh_nghiep\"],
  \"application_code\":\"sxd.cap-phep\",\"application_name\":\"Hệ thống cấp phép xây dựng\",
  \"purpose\":\"Xác minh chủ đầu tư khi tiếp nhận hồ sơ cấp phép xây dựng\",\"expected_calls_per_day\":100}" | jq .id)
STC=$(token taichinh.provider govdx-demo-2026)
KEY=$(api "$STC" "$API/requests/$REQUEST/approve" -d '{}' | jq -r .api_key)
echo "   request $REQUEST approved; the account's key (shown once): $KEY"

echo "3. the account calls the service through the gateway"
ITEMS=$(call call1 200 'keys')
[ "$ITEMS" = '["ma_so_thue","ten_doanh_nghiep"]' ] || fail "the answer holds $ITEMS, not only the two approved items"

echo "4. the provider suspends the agency for a violation; the same call is refused"
RESTORE=$(date -u -d '+3 days' +%Y-%m-%dT%H:00:00Z)
api "$STC" "$API/suspensions" -d "{\"service_id\":$SERVICE_ID,\"kind\":\"violation\",\"consumer_org_ids\":[$ORG],
  \"restore_at\":\"$RESTORE\",\"reason\":\"Khai thác sai mục đích đã đăng ký\",
  \"handling\":\"Tạm ngừng kết nối 3 ngày\",\"restore_requirements\":\"Báo cáo giải trình mục đích khai thác\"}" >/dev/null
AT=$(call call2 403 '.code + " " + .restore_at')
[ "$AT" = "suspended $RESTORE" ] || fail "refused with '$AT', want 'suspended $RESTORE'"

echo "5. the agency's call history (GET /api/v1/logs?org=$CODE): both calls"
api "$SXD" "$API/logs?org=$CODE" | tee "$JARS/logs" | jq -c '.items[] | {correlation_id, status, refusal_code, service}'
for f in call1 call2; do
	corr=$(tr -d '\r' <"$JARS/$f" | awk -F': ' 'tolower($1)=="x-correlation-id" {print $2}')
	jq -e --arg c "$corr" '[.items[] | select(.correlation_id == $c)] | length == 1' "$JARS/logs" >/dev/null ||
		fail "call $corr is not in the history"
done
echo "ok: now run 'govdx log verify' (with the server's --data) to prove the log is whole"
