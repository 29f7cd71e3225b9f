'use strict';
// Rows per second through each request form, side by side on one server and one channel per form:
//   node bench.js HOST:PORT [ROWS_PER_REQUEST=10000] [SECONDS_PER_FORM=5] [CONCURRENCY=2]
// Trains a SUPERVISED model with the default 256-256 MLP on clients/samples/house_lucas_train.csv (50 iterations:
// the architecture matters here, not the fit), then sends the same rows as hpl.v1 Predict (a Struct per row),
// OIP ModelInfer with one tensor per column (contents, then raw_input_contents), and OIP ModelInfer with the
// encoded x tensor (raw FP32, encoded here from ModelMetadata's encoded_input_names). Prints a Markdown table.
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const NODE_CLIENT = path.join(__dirname, '..', 'node');
const grpc = require(require.resolve('@grpc/grpc-js', { paths: [NODE_CLIENT] }));
const protoLoader = require(require.resolve('@grpc/proto-loader', { paths: [NODE_CLIENT] }));
const { HplClient } = require(path.join(NODE_CLIENT, 'src', 'client'));

const [target = 'localhost:9000', rowsArg = '10000', secondsArg = '5', concurrencyArg = '2'] = process.argv.slice(2);
const ROWS = Number(rowsArg);
const SECONDS = Number(secondsArg);
const CONCURRENCY = Number(concurrencyArg);
const CSV = path.join(__dirname, '..', 'samples', 'house_lucas_train.csv');
const options = { 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20 };
const definition = protoLoader.loadSync('inference/open_inference_grpc.proto', {
  includeDirs: [path.join(__dirname, '..', '..', 'proto')], longs: Number, defaults: true, oneofs: true,
});
const { GRPCInferenceService } = grpc.loadPackageDefinition(definition).inference;
const oip = new GRPCInferenceService(target, grpc.credentials.createInsecure(), options);
const infer = (request) => new Promise((resolve, reject) =>
  oip.ModelInfer(request, (err, res) => (err ? reject(err) : resolve(res))));

function readRows() {
  const [header, ...lines] = fs.readFileSync(CSV, 'utf8').trim().split(/\r?\n/);
  const names = header.split(',').filter((n) => n !== 'log_price');
  const all = lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((n, i) => [n, Number.isNaN(Number(cells[i])) ? cells[i] : Number(cells[i])]));
  });
  return Array.from({ length: ROWS }, (_, i) => all[i % all.length]);
}

const le = (values, width, write) => {
  const b = Buffer.alloc(values.length * width);
  values.forEach((v, i) => write.call(b, v, i * width));
  return b;
};
const bytesOf = (texts) => Buffer.concat(texts.flatMap((t) => {
  const s = Buffer.from(String(t));
  const n = Buffer.alloc(4);
  n.writeUInt32LE(s.length);
  return [n, s];
}));

async function timed(name, call) {
  for (let i = 0; i < 3; i++) await call(); // warm-up: session load, JIT
  const latencies = [];
  const end = Date.now() + SECONDS * 1000;
  const worker = async () => {
    while (Date.now() < end) {
      const start = process.hrtime.bigint();
      await call();
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const p50 = latencies[Math.floor(latencies.length / 2)];
  console.log(`| ${name} | ${ROWS} | ${latencies.length} | ${Math.round((latencies.length * ROWS) / seconds).toLocaleString('en')} | ${p50.toFixed(1)} |`);
}

async function main() {
  const hpl = new HplClient(target, { timeoutMs: 600000 });
  const model = `oip-bench-${crypto.randomBytes(3).toString('hex')}`;
  const dataset = await hpl.uploadFile(CSV, { targetColumn: 'log_price', name: 'oip bench' });
  await hpl.train(dataset.id, model, { method: 'SUPERVISED', hyperparameters: { iterations: 50 }, seed: 1 });
  const rows = readRows();
  const metadata = await new Promise((resolve, reject) =>
    oip.ModelMetadata({ name: model }, (err, res) => (err ? reject(err) : resolve(res))));
  const columns = metadata.inputs.map((t) => ({ ...t, values: rows.map((r) => r[t.name]) }));
  const contents = {
    modelName: model,
    inputs: columns.map((c) => ({ name: c.name, datatype: c.datatype, shape: [ROWS],
      contents: c.datatype === 'BYTES' ? { bytesContents: c.values.map((v) => Buffer.from(String(v))) }
        : { fp64Contents: c.values } })),
  };
  const raw = {
    modelName: model,
    inputs: columns.map((c) => ({ name: c.name, datatype: c.datatype, shape: [ROWS] })),
    rawInputContents: columns.map((c) => (c.datatype === 'BYTES' ? bytesOf(c.values)
      : le(c.values, 8, Buffer.prototype.writeDoubleLE))),
  };
  const encoded = metadata.properties.encoded_input_names.split(',');
  const x = new Float32Array(ROWS * encoded.length);
  rows.forEach((r, i) => encoded.forEach((name, j) => {
    const [column, category] = name.split('=');
    x[i * encoded.length + j] = category === undefined ? r[column] : Number(String(r[column]) === category);
  }));
  const xRequest = { modelName: model, inputs: [{ name: 'x', datatype: 'FP32', shape: [ROWS, encoded.length] }],
    rawInputContents: [Buffer.from(x.buffer)] };
  hpl.close();
  const predictClient = new HplClient(target, { timeoutMs: 600000 });

  console.log(`${model}: SUPERVISED 256-256 MLP, ${encoded.length} encoded inputs; ${CONCURRENCY} concurrent callers, ${SECONDS} s per form\n`);
  console.log('| request form | rows/request | requests | rows/s | p50 ms |');
  console.log('|---|---|---|---|---|');
  await timed('hpl.v1 Predict (Struct rows)', () => predictClient.predict(model, rows));
  await timed('OIP ModelInfer, column tensors (contents)', () => infer(contents));
  await timed('OIP ModelInfer, column tensors (raw_input_contents)', () => infer(raw));
  await timed('OIP ModelInfer, x FP32 (raw_input_contents)', () => infer(xRequest));
  predictClient.close();
  oip.close();
}

main().catch((e) => { console.error(e); process.exit(1); });
