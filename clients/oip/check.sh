#!/usr/bin/env bash
# The Open Inference Protocol v2 against a live hpl-server: gRPC with a Node client generated from KServe's
# proto (oip-check.js), then REST with curl + jq; the same row's mean must match Predict's (1e-6, relative).
#   clients/oip/check.sh GRPC_HOST:PORT HTTP_BASE_URL     e.g. 127.0.0.1:9000 http://127.0.0.1:9000
set -euo pipefail
cd "$(dirname "$0")"
grpc_target=$1
http=$2
# Printed through the inherited stderr: `tee /dev/stderr` would reopen it and truncate a log file it points to.
out=$(node oip-check.js "$grpc_target")
printf '%s\n' "$out" >&2
last=$(tail -1 <<<"$out")
model=$(jq -r .model <<<"$last")

curl -sf "$http/v2/health/live" | jq -e '.live == true' >/dev/null
curl -sf "$http/v2/health/ready" | jq -e '.ready == true' >/dev/null
curl -sf "$http/v2/models/$model/ready" | jq -e '.ready == true' >/dev/null
curl -sf "$http/v2/models/$model" | jq -e '.inputs | length == 14' >/dev/null
# One tensor per column: strings as BYTES, numbers as FP64 ([1] each).
body=$(jq -c '{id: "curl", inputs: [.row | to_entries[] | {name: .key, shape: [1], data: [.value],
               datatype: (if (.value | type) == "string" then "BYTES" else "FP64" end)}]}' <<<"$last")
answer=$(curl -sf -H 'content-type: application/json' -d "$body" "$http/v2/models/$model/infer")
jq -en --argjson want "$last" --argjson got "$answer" '
  [$got.outputs[] | {(.name): .data[0]}] | add as $o
  | ($want.mean - $o.mean) as $d | (if $d < 0 then -$d else $d end) <= 1e-6 * $want.mean
  and $got.model_name == $want.model and $got.id == "curl"' >/dev/null ||
  { echo "REST answer $answer does not match Predict's mean in $last" >&2; exit 1; }
# A mistake is the protocol's {"error": "..."} with a 4xx code.
bad=$(jq -c '(.inputs[] | select(.name == "stories") | .data) = ["three"]' <<<"$body")
code=$(curl -s -o /tmp/oip-check-error.$$ -w '%{http_code}' -H 'content-type: application/json' \
  -d "$bad" "$http/v2/models/$model/infer")
jq -e '.error | contains("unknown category '"'three'"'")' /tmp/oip-check-error.$$ >/dev/null && [ "$code" = 400 ] ||
  { echo "expected 400 with an error naming the column, got $code: $(cat /tmp/oip-check-error.$$)" >&2; exit 1; }
rm -f /tmp/oip-check-error.$$
echo "OIP REST: $model mean $(jq '.outputs[0].data[0]' <<<"$answer") (Predict $(jq .mean <<<"$last")); OIP v2 checks passed"
