#!/usr/bin/env node
'use strict';
// A small command line over HplClient (the Python package's `hpl` is the full one).
//   hpl-cli upload ../samples/house_lucas_train.csv log_price
//   hpl-cli train DATASET_ID house SUPERVISED iterations=1000 progress_every=250
//   hpl-cli predict house '{"yrbuilt":1927,"stories":"one",...}'
//   hpl-cli evaluate house DATASET_ID
//   hpl-cli models
// Options: --server host:port ($HPL_SERVER, default localhost:9000), --token T ($HPL_TOKEN; sent as
// `authorization: Bearer T`), --tls-ca ca.pem (TLS trusting it), --tls (TLS, system roots), --tls-server-name.
// `train` follows the job and reattaches after a dropped connection; Ctrl-C detaches (the job goes on).
// Exit codes: 0 done, 1 the server refused or failed (status code and message printed), 2 usage, 130 Ctrl-C.
const { parseArgs } = require('util');
const { HplClient } = require('../src/client');

const USAGE = 'commands: upload CSV TARGET | train DATASET MODEL [METHOD] [k=v...] | predict MODEL ROW_JSON... '
  + '| evaluate MODEL DATASET | models';

async function run(hpl, [command, ...args]) {
  switch (command) {
    case 'upload':
      return hpl.uploadFile(args[0], { targetColumn: args[1] });
    case 'train': {
      const [datasetId, modelName, method = 'METHOD_UNSPECIFIED', ...params] = args;
      const hyperparameters = Object.fromEntries(params.map((p) => p.split(/=(.*)/s).slice(0, 2)));
      const job = await hpl.startTraining(datasetId, modelName, { method, hyperparameters });
      console.error(`job ${job.id}`);
      const detach = new AbortController();
      process.once('SIGINT', () => {
        console.error(`detached: job ${job.id} goes on`);
        process.exitCode = 130;
        detach.abort();
      });
      return hpl.waitForModel(job.id, {
        signal: detach.signal,
        onEvent: (e) => {
          if (e.event === 'progress') {
            const p = e.progress;
            console.error(`iteration ${p.iteration}/${p.totalIterations}  loss ${p.trainLoss.toFixed(4)}  validation MAE ${p.validationMae.toFixed(4)}`);
          }
        },
        onReattach: (err, n) => console.error(`connection lost (${err.message}); reattaching, try ${n}`),
      });
    }
    case 'predict':
      return hpl.predict(args[0], args.slice(1).map((r) => JSON.parse(r)));
    case 'evaluate':
      return hpl.evaluate(args[0], { datasetId: args[1] });
    case 'models':
      return (await hpl.listModels()).map((m) => `${m.name} v${m.version} ${m.method} calibration MAE ${m.calibrationMetrics.mae.toFixed(4)}`);
    default:
      throw Object.assign(new Error(USAGE), { usage: true });
  }
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        server: { type: 'string', default: process.env.HPL_SERVER || 'localhost:9000' },
        token: { type: 'string', default: process.env.HPL_TOKEN },
        'tls-ca': { type: 'string' },
        tls: { type: 'boolean', default: false },
        'tls-server-name': { type: 'string' },
      },
      allowPositionals: true,
    });
  } catch (e) {
    console.error(`error: ${e.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const { values, positionals } = parsed;
  const hpl = new HplClient(values.server, {
    token: values.token, tls: values.tls, rootCerts: values['tls-ca'], tlsServerName: values['tls-server-name'],
  });
  try {
    const result = await run(hpl, positionals);
    console.log(Array.isArray(result) && typeof result[0] === 'string' ? result.join('\n') : JSON.stringify(result, null, 2));
  } catch (e) {
    if (process.exitCode === 130) return; // detached by Ctrl-C: the abort's own error says nothing more
    console.error(`error: ${e.message}`);
    process.exitCode = e.usage ? 2 : 1;
  } finally {
    hpl.close();
  }
}

main();
