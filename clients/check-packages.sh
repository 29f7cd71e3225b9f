#!/usr/bin/env bash
# Installs a client from its packed form into a temp directory outside the repository and drives a live
# server with it, from there: upload the house sample, train briefly (progress shown), predict a CSV to a CSV,
# evaluate with a reliability diagram; checks the files and their rows.
#   clients/check-packages.sh python 127.0.0.1:9000   # pip install ./clients/python into a fresh venv; the `hpl` tool
#   clients/check-packages.sh node 127.0.0.1:9000     # npm pack clients/node; npm install the tarball; its API and bin
# Needs Debian's python3-grpcio, python3-grpc-tools (and python3-venv); npm reaching its registry (or cache).
set -euo pipefail
kind=$1
target=${2:-${HPL_SERVER:-localhost:9000}}
repo=$(cd "$(dirname "$0")/.." && pwd)
samples=$repo/clients/samples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
model="ci-$kind-$$-$RANDOM"
fail() { echo "check-packages $kind: $*" >&2; exit 1; }

python_package() {
  /usr/bin/python3 -m venv --system-site-packages "$work/venv"
  "$work/venv/bin/pip" install -q --no-index --no-build-isolation "$repo/clients/python"
  cd "$work" # from here on, nothing of the repository is on the path
  "$work/venv/bin/python" -c 'import hpl_client, sys; sys.exit(0 if hpl_client.__file__.startswith(sys.prefix) else 1)' ||
    fail "hpl_client was not imported from the venv"
  hpl() { "$work/venv/bin/hpl" --server "$target" "$@"; }
  dataset=$(hpl datasets upload "$samples/house_lucas_train.csv" --target log_price | cut -f1)
  [[ $dataset == ds-* ]] || fail "upload printed no dataset id"
  hpl train "$dataset" "$model" --method SUPERVISED --seed 1 -p iterations=60 -p progress_every=20 \
    -p hidden_layers=16 2> >(tee train.log >&2)
  grep -q '100% 60/60' train.log || fail "no progress bar reached 60/60"
  cp "$samples/house_lucas_test.csv" input.csv
  hpl predict "$model" input.csv -o predictions.csv --chunk-rows 200
  [ "$(head -1 predictions.csv | tr -d '\r')" = "mean,variance,lower,upper" ] || fail "predictions.csv header"
  [ "$(wc -l < predictions.csv)" -eq 501 ] || fail "predictions.csv has $(wc -l < predictions.csv) lines, not 501"
  hpl evaluate "$model" input.csv --reliability reliability.svg | tee evaluation.txt
  grep -q ": 500 rows" evaluation.txt || fail "evaluate did not score 500 rows"
  "$work/venv/bin/python" -c 'import sys, xml.etree.ElementTree as e; e.parse("reliability.svg")' ||
    fail "reliability.svg is not well-formed SVG"
  if "$work/venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
    hpl evaluate "$model" input.csv --reliability reliability.png >/dev/null
    [ "$(head -c 4 reliability.png | tail -c 3)" = "PNG" ] || fail "reliability.png is not a PNG"
  fi
  hpl models delete "$model"
  ls -l predictions.csv reliability.*
}

node_package() {
  (cd "$repo/clients/node" && npm pack --pack-destination "$work" --loglevel=error >/dev/null)
  cd "$work"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --loglevel=error ./hpl-client-*.tgz
  [ -f node_modules/hpl-client/proto/hpl/v1/hpl.proto ] || fail "the tarball carries no proto/"
  cat > smoke.js <<'JS'
const assert = require('assert');
const { HplClient } = require('hpl-client');
(async () => {
  const [target, model, train] = process.argv.slice(2);
  const hpl = new HplClient(target);
  try {
    const dataset = await hpl.uploadFile(train, { targetColumn: 'log_price' });
    const job = await hpl.startTraining(dataset.id, model, {
      method: 'SUPERVISED', seed: 1, hyperparameters: { iterations: 40, progress_every: 20, hidden_layers: '16' } });
    const progress = [];
    const info = await hpl.waitForModel(job.id, { onEvent: (e) => e.event === 'progress' && progress.push(e.progress.iteration) });
    assert.deepStrictEqual(progress, [20, 40]);
    const [p] = await hpl.predict(model, [{ yrbuilt: 1927, stories: 'one', TLA: 1137, wall: 'metlvnyl', beds: 3,
      baths: 1, halfbaths: 1, frontage: 40, depth: 140, garage: 'detached', garagesqft: 486, rooms: 6, lotsize: 5600,
      syear: 1998 }]);
    assert.ok(p.lower < p.mean && p.mean < p.upper);
    const metrics = await hpl.evaluate(model, { datasetId: dataset.id });
    assert.strictEqual(typeof metrics.coverage90, 'number');
    assert.strictEqual(typeof metrics.intervalCoverage90, 'number');
    console.log(`packed client: ${info.name} v${info.version}, ${metrics.rows} rows, coverage90 ${metrics.coverage90}`);
  } finally {
    hpl.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
JS
  node smoke.js "$target" "$model" "$samples/house_lucas_train.csv"
  npx --no-install hpl-cli --server "$target" models | grep -q "^$model v1 SUPERVISED" || fail "hpl-cli models"
  npx --no-install hpl-cli --server "$target" train nope "$model" 2>err.txt && fail "training on no dataset succeeded"
  grep -q "^error: NOT_FOUND" err.txt || fail "hpl-cli's error: $(cat err.txt)"
  # The hand-written types, checked by tsc when the registry (or the npm cache) has it; skipped otherwise.
  if npm install --no-audit --no-fund --loglevel=error typescript@5.9.3 @types/node@20 >/dev/null 2>&1; then
    cp "$repo/clients/node/test/types-check.ts" .
    npx --no-install tsc --noEmit --strict --types node types-check.ts || fail "tsc on client.d.ts"
    echo "tsc: client.d.ts type-checks"
  else
    echo "tsc: typescript not installable here; types not checked"
  fi
  node -e "const { HplClient } = require('hpl-client'); new HplClient('$target').deleteModel('$model').then(() => process.exit(0))"
}

case $kind in
  python) python_package ;;
  node) node_package ;;
  *) echo "usage: $0 python|node host:port" >&2; exit 2 ;;
esac
echo "check-packages $kind: ok against $target"
