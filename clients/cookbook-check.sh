#!/usr/bin/env bash
# Runs every ```bash buf block of clients/grpcurl.md, in order, in one shell, against a live server:
#   clients/cookbook-check.sh localhost:9000 [http://localhost:8080]   (gRPC target, then the HTTP base URL)
# The cookbook is the only copy of the commands; this script fails when any of them fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export HPL=${1:-${HPL:-localhost:9000}}
export HPL_HTTP=${2:-${HPL_HTTP:-http://${HPL%:*}:8080}} # the OIP REST block's; HTTP has its own port
export PATH="$PWD/clients/tools/node_modules/.bin:$PATH"
command -v buf >/dev/null || { echo "buf not found: cd clients/tools && npm ci" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq not found: apt-get install jq" >&2; exit 2; }

script=$(awk '/^```bash buf$/ {on=1; n++; print "echo \"--- cookbook block " n "\" >&2"; next}
              /^```/ {on=0; next}
              on' clients/grpcurl.md)
blocks=$(grep -c '^```bash buf$' clients/grpcurl.md)
# -e: the first failing command (a non-zero buf curl, a false jq -e) fails the check.
if bash -euo pipefail -c "$script"; then
  echo "cookbook: $blocks blocks passed against $HPL"
else
  echo "cookbook: FAILED against $HPL (see the last block named above)" >&2
  exit 1
fi
