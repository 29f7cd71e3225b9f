#!/usr/bin/env node
'use strict';
// A small command line over HplClient. Server: --server host:port, $HPL_SERVER, or localhost:9000.
//   hpl-cli.js upload ../samples/house_lucas_train.csv log_price
//   hpl-cli.js train DATASET_ID house SUPERVISED iterations=1000 progress_every=250
//   hpl-cli.js predict house '{"yrbuilt":1927,"stories":"one",...}'
//   hpl-cli.js evaluate house DATASET_ID
//   hpl-cli.js models
const { parseArgs } = require('util');
const { HplClient } = require('../src/client');

async function run(hpl, [command, ...args]) {
  switch (command) {
    case 'upload':
      return hpl.uploadFile(args[0], { targetColumn: args[1] });
    case 'train': {
      const [datasetId, modelName, method = 'METHOD_UNSPECIFIED', ...params] = args;
      const hyperparameters = Object.fromEntries(params.map((p) => p.split(/=(.*)/s).slice(0, 2)));
      return hpl.train(datasetId, modelName, {
        method, hyperparameters,
        onProgress: (p) => console.log(`iteration ${p.iteration}/${p.totalIterations}  loss ${p.trainLoss.toFixed(4)}  validation MAE ${p.validationMae.toFixed(4)}`),
      });
    }
    case 'predict':
      return hpl.predict(args[0], args.slice(1).map((r) => JSON.parse(r)));
    case 'evaluate':
      return hpl.evaluate(args[0], { datasetId: args[1] });
    case 'models':
      return (await hpl.listModels()).map((m) => `${m.name} v${m.version} ${m.method} calibration MAE ${m.calibrationMetrics.mae.toFixed(4)}`);
    default:
      throw new Error('commands: upload CSV TARGET | train DATASET MODEL [METHOD] [k=v...] | predict MODEL ROW_JSON... | evaluate MODEL DATASET | models');
  }
}

async function main() {
  const { values, positionals } = parseArgs({
    options: { server: { type: 'string', default: process.env.HPL_SERVER || 'localhost:9000' } },
    allowPositionals: true,
  });
  const hpl = new HplClient(values.server);
  try {
    const result = await run(hpl, positionals);
    console.log(Array.isArray(result) && typeof result[0] === 'string' ? result.join('\n') : JSON.stringify(result, null, 2));
  } catch (e) {
    console.error(`error: ${e.message}`);
    process.exitCode = 1;
  } finally {
    hpl.close();
  }
}

main();
