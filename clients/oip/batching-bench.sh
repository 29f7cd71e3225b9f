#!/usr/bin/env bash
# Dynamic batching off → on for many concurrent one-row clients (docs/benchmark.md, "Serving: dynamic batching"):
#   clients/oip/batching-bench.sh [CLIENTS=32] [SECONDS=10] [GRPC_PORT=9312]
# Starts the packaged server (target/quarkus-app: ./mvnw package -DskipTests first) once per setting, each with a
# fresh temporary store and authentication off, runs concurrent-bench.js against it and prints one Markdown table.
# Extra server flags (e.g. -Dhpl.serving.batching.max-batch-rows=32) go in BENCH_SERVER_OPTS.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIENTS=${1:-32}
SECONDS_EACH=${2:-10}
PORT=${3:-9312}
[ -d clients/node/node_modules ] || (cd clients/node && npm ci --no-audit --no-fund >/dev/null)
notes=()
echo "| batching | calls | clients | requests | rows/s | p50 ms | p99 ms |"
echo "|---|---|---|---|---|---|---|"
for enabled in false true; do
  store=$(mktemp -d)
  log=$(mktemp)
  java -Dhpl.auth.enabled=false -Dhpl.store.dir="$store" -Dhpl.serving.batching.enabled=$enabled ${BENCH_SERVER_OPTS:-} \
    -Dquarkus.grpc.server.port="$PORT" -Dquarkus.http.port=$((PORT - 1000)) -Dquarkus.management.port=$((PORT + 81)) \
    -jar ${BENCH_APP:-target/quarkus-app}/quarkus-run.jar >"$log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do grep -q "Listening on" "$log" && break; sleep 0.5; done
  node clients/oip/concurrent-bench.js "localhost:$PORT" "$CLIENTS" "$SECONDS_EACH" "$([ $enabled = true ] && echo on || echo off)" \
    || { kill "$server"; cat "$log" >&2; exit 1; }
  metrics=$(curl -s "http://localhost:$((PORT + 81))/q/metrics" || true)
  value() { echo "$metrics" | awk -v m="$1" '$1 == m {print $2}'; }
  notes+=("batching $enabled: $(value hpl_serving_batch_calls_count) shared runs holding $(value hpl_serving_batch_calls_sum) calls; $(value hpl_serving_batch_alone_calls_total) small calls ran alone")
  kill "$server"
  wait "$server" 2>/dev/null || true
  rm -rf "$store" "$log"
done
echo
printf '%s\n' "${notes[@]}"
