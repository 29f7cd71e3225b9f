'use strict';
// One-row calls from many concurrent clients, each on its own channel (its own HTTP/2 connection), against one server:
//   node concurrent-bench.js HOST:PORT [CLIENTS=32] [SECONDS=10] [LABEL=server]
// Trains a SUPERVISED model (the default 256-256 MLP, 50 iterations: the architecture matters here, not the fit) on
// clients/samples/house_lucas_train.csv, then for SECONDS each: every client sends one-row hpl.v1 Predicts (a
// Struct row) back to back, then one-row OIP ModelInfers (the encoded x, raw FP32). Prints Markdown table rows:
// rows/s over all clients, p50 and p99 latency. batching-bench.sh runs it against a server with batching off and on.
// HIDDEN=1024,1024,1024 trains a wider network instead (the hidden_layers hyperparameter).
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const NODE_CLIENT = path.join(__dirname, '..', 'node');
const grpc = require(require.resolve('@grpc/grpc-js', { paths: [NODE_CLIENT] }));
const protoLoader = require(require.resolve('@grpc/proto-loader', { paths: [NODE_CLIENT] }));
const { HplClient, definition } = require(path.join(NODE_CLIENT, 'src', 'client'));

const [target = 'localhost:9000', clientsArg = '32', secondsArg = '10', label = 'server'] = process.argv.slice(2);
const CLIENTS = Number(clientsArg);
const SECONDS = Number(secondsArg);
const HIDDEN = process.env.HIDDEN || '256,256';
const CSV = path.join(__dirname, '..', 'samples', 'house_lucas_train.csv');
// A channel of its own per client: grpc-js would otherwise share one connection among channels to one target.
const OWN = { 'grpc.use_local_subchannel_pool': 1 };
const oipDefinition = protoLoader.loadSync('inference/open_inference_grpc.proto', {
  includeDirs: [path.join(__dirname, '..', '..', 'proto')], longs: Number, defaults: true, oneofs: true,
});
const { GRPCInferenceService } = grpc.loadPackageDefinition(oipDefinition).inference;
const { RegressionService } = grpc.loadPackageDefinition(definition).hpl.v1;
const call = (stub, method, request) => new Promise((resolve, reject) =>
  stub[method](request, { deadline: Date.now() + 30000 }, (err, res) => (err ? reject(err) : resolve(res))));

function firstRow() {
  const [header, line] = fs.readFileSync(CSV, 'utf8').trim().split(/\r?\n/);
  const names = header.split(',');
  const cells = line.split(',');
  const row = {};
  names.forEach((n, i) => {
    if (n !== 'log_price') row[n] = Number.isNaN(Number(cells[i])) ? cells[i] : Number(cells[i]);
  });
  return row;
}

async function timed(name, stubs, method, request) {
  await Promise.all(stubs.map(async (stub) => { for (let i = 0; i < 20; i++) await call(stub, method, request); }));
  const latencies = [];
  const end = Date.now() + SECONDS * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(stubs.map(async (stub) => {
    while (Date.now() < end) {
      const start = process.hrtime.bigint();
      await call(stub, method, request);
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const q = (f) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * f))].toFixed(2);
  console.log(`| ${label} | ${name} | ${CLIENTS} | ${latencies.length} | ${Math.round(latencies.length / seconds).toLocaleString('en')} | ${q(0.5)} | ${q(0.99)} |`);
}

async function main() {
  const hpl = new HplClient(target, { timeoutMs: 600000 });
  const model = `concurrent-bench-${crypto.randomBytes(3).toString('hex')}`;
  const dataset = await hpl.uploadFile(CSV, { targetColumn: 'log_price', name: 'concurrent bench' });
  await hpl.train(dataset.id, model, { method: 'SUPERVISED', hyperparameters: { iterations: 50, hidden_layers: HIDDEN }, seed: 1 });
  hpl.close();
  const row = firstRow();
  const fields = {};
  for (const [k, v] of Object.entries(row)) fields[k] = typeof v === 'number' ? { numberValue: v } : { stringValue: String(v) };
  const predict = { modelName: model, rows: [{ fields }] };
  const credentials = grpc.credentials.createInsecure();
  const oip0 = new GRPCInferenceService(target, credentials, OWN);
  const metadata = await call(oip0, 'ModelMetadata', { name: model });
  oip0.close();
  const encoded = metadata.properties.encoded_input_names.split(',');
  const x = new Float32Array(encoded.map((name) => {
    const [column, category] = name.split('=');
    return category === undefined ? row[column] : Number(String(row[column]) === category);
  }));
  console.error(`${label}: SUPERVISED MLP ${HIDDEN}, ${encoded.length} encoded inputs, ${CLIENTS} clients, ${SECONDS} s per call`);
  const infer = { modelName: model, inputs: [{ name: 'x', datatype: 'FP32', shape: [1, encoded.length] }],
    rawInputContents: [Buffer.from(x.buffer)] };
  const predictStubs = Array.from({ length: CLIENTS }, () => new RegressionService(target, credentials, OWN));
  const oipStubs = Array.from({ length: CLIENTS }, () => new GRPCInferenceService(target, credentials, OWN));
  await timed('hpl.v1 Predict, 1 row (Struct)', predictStubs, 'Predict', predict);
  await timed('OIP ModelInfer, 1 row (x FP32, raw)', oipStubs, 'ModelInfer', infer);
  predictStubs.forEach((s) => s.close());
  oipStubs.forEach((s) => s.close());
}

main().catch((e) => { console.error(e); process.exit(1); });
