'use strict';
// Batched throughput of hpl.v1 Predict's fast forms (issue #12), on one server, from one Node process:
//   node clients/bench/throughput.js HOST:PORT [SECONDS_PER_CELL=3] [ROWS=256,1024,4096,10000] [CONCURRENCY=1,2,4] [MODEL]
// Trains a SUPERVISED model with the default 256-256 MLP on clients/samples/house_lucas_train.csv (50 iterations:
// the architecture sets the cost, not the fit), unless MODEL names an existing one, then for each form, rows per
// request and concurrency sends the same rows for SECONDS_PER_CELL and prints rows/s and latency percentiles:
//   columns  PredictRequest.columns: numeric columns as packed float32, categorical ones as texts
//   x        PredictRequest.x: the rows encoded as the model's input (Schema.encoded_inputs), packed float32
//   stream   PredictStream with x requests, CONCURRENCY streams, each keeping DEPTH requests in flight
// To keep the client's CPU off the two cores the server needs, each request is encoded to bytes once and sent
// as is (grpc-js with pass-through serializers); answers are not decoded, except the first of each cell,
// which is checked (one packed mean per row, no error) - every other answer must have the same byte size.
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const NODE_CLIENT = path.join(__dirname, '..', 'node');
const grpc = require(require.resolve('@grpc/grpc-js', { paths: [NODE_CLIENT] }));
const protobuf = require(require.resolve('protobufjs',
  { paths: [path.dirname(require.resolve('@grpc/proto-loader', { paths: [NODE_CLIENT] }))] }));
const { HplClient } = require(path.join(NODE_CLIENT, 'src', 'client'));

const [target = 'localhost:9000', secondsArg = '3', rowsArg = '256,1024,4096,10000', concurrencyArg = '1,2,4', modelArg] =
  process.argv.slice(2);
const SECONDS = Number(secondsArg);
const ROW_COUNTS = rowsArg.split(',').map(Number);
const CONCURRENCIES = concurrencyArg.split(',').map(Number);
const DEPTH = 4; // requests in flight per stream
const CSV = path.join(__dirname, '..', 'samples', 'house_lucas_train.csv');
const TARGET = 'log_price';
const options = { 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20 };
const token = process.env.HPL_TOKEN;

const root = new protobuf.Root();
root.resolvePath = (origin, file) => {
  for (const dir of [path.join(__dirname, '..', '..', 'proto')]) {
    const candidate = path.join(dir, file);
    if (fs.existsSync(candidate)) return candidate;
  }
  return protobuf.util.path.resolve(origin, file);
};
root.loadSync('hpl/v1/hpl.proto', { keepCase: false });
const PredictRequest = root.lookupType('hpl.v1.PredictRequest');
const PredictResponse = root.lookupType('hpl.v1.PredictResponse');
const PredictStreamRequest = root.lookupType('hpl.v1.PredictStreamRequest');
const PredictStreamResponse = root.lookupType('hpl.v1.PredictStreamResponse');
const same = (x) => x;

function readRows() {
  const [header, ...lines] = fs.readFileSync(CSV, 'utf8').trim().split(/\r?\n/);
  const names = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [names[i], cell])));
}

/** The request bodies of one cell: the rows as columns and as x. */
function requests(model, schema, all, rows) {
  const picked = Array.from({ length: rows }, (_, i) => all[i % all.length]);
  const columns = schema.features.map((f) => (f.kind === 'COLUMN_KIND_NUMERIC'
    ? { name: f.name, floats: picked.map((r) => (r[f.name] === '' ? NaN : Number(r[f.name]))) }
    : { name: f.name, texts: picked.map((r) => r[f.name]) }));
  const names = schema.encodedInputs;
  const x = new Array(rows * names.length);
  picked.forEach((r, i) => names.forEach((name, j) => {
    let value;
    if (name.endsWith('__missing')) value = r[name.slice(0, -9)] === '' ? 1 : 0;
    else if (name.includes('=')) { const [c, cat] = name.split('='); value = r[c] === cat ? 1 : 0; }
    else value = r[name] === '' ? NaN : Number(r[name]);
    x[i * names.length + j] = value;
  }));
  const columnsRequest = { modelName: model, columns: { columns } };
  const xRequest = { modelName: model, x: { width: names.length, values: x } };
  return {
    columns: Buffer.from(PredictRequest.encode(PredictRequest.fromObject(columnsRequest)).finish()),
    x: Buffer.from(PredictRequest.encode(PredictRequest.fromObject(xRequest)).finish()),
    stream: Buffer.from(PredictStreamRequest.encode(PredictStreamRequest.fromObject({ requestId: 'b', request: xRequest }))
      .finish()),
  };
}

function metadata() {
  const m = new grpc.Metadata();
  if (token) m.set('authorization', `Bearer ${token}`);
  return m;
}

function check(decoded, rows, form) {
  const response = decoded.error ? null : (decoded.response || decoded);
  if (!response || !response.packed || response.packed.mean.length !== rows) {
    throw new Error(`${form}: unexpected answer ${JSON.stringify(decoded).slice(0, 300)}`);
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function unaryCell(clients, body, rows, form) {
  const call = (client) => new Promise((resolve, reject) => client.makeUnaryRequest('/hpl.v1.RegressionService/Predict',
    same, same, body, metadata(), { deadline: Date.now() + 120000 }, (err, res) => (err ? reject(err) : resolve(res))));
  const first = await call(clients[0]);
  check(PredictResponse.decode(first), rows, form);
  for (let i = 0; i < 2; i++) await Promise.all(clients.map(call)); // warm-up
  const latencies = [];
  const end = process.hrtime.bigint() + BigInt(Math.round(SECONDS * 1e9));
  const started = process.hrtime.bigint();
  await Promise.all(clients.map(async (client) => {
    while (process.hrtime.bigint() < end) {
      const t = process.hrtime.bigint();
      const res = await call(client);
      if (res.length !== first.length) throw new Error(`${form}: an answer of ${res.length} bytes, the first had ${first.length}`);
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }));
  return { latencies, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function streamCell(clients, body, rows) {
  const latencies = [];
  let checked = false;
  let firstLength = -1;
  const warmEnd = process.hrtime.bigint() + 300_000_000n;
  const end = warmEnd + BigInt(Math.round(SECONDS * 1e9));
  let last = warmEnd;
  await Promise.all(clients.map((client) => new Promise((resolve, reject) => {
    const stream = client.makeBidiStreamRequest('/hpl.v1.RegressionService/PredictStream', same, same, metadata(),
      { deadline: Date.now() + 600000 });
    const sentAt = [];
    let ended = false;
    const send = () => {
      if (process.hrtime.bigint() >= end) {
        if (!ended) { ended = true; stream.end(); }
        return;
      }
      sentAt.push(process.hrtime.bigint());
      stream.write(body);
    };
    stream.on('data', (res) => {
      const t0 = sentAt.shift();
      const now = process.hrtime.bigint();
      if (!checked) { check(PredictStreamResponse.decode(res), rows, 'stream'); checked = true; firstLength = res.length; }
      if (res.length !== firstLength) reject(new Error(`stream: an answer of ${res.length} bytes, the first had ${firstLength}`));
      if (t0 >= warmEnd) { latencies.push(Number(now - t0) / 1e6); last = now; }
      send();
    });
    stream.on('error', reject);
    stream.on('end', resolve);
    for (let i = 0; i < DEPTH; i++) send();
  })));
  // rows/s over the measured window: the requests sent after the warm-up, until the last one's answer
  return { latencies, seconds: Number(last - warmEnd) / 1e9 };
}

async function main() {
  const hpl = new HplClient(target, { timeoutMs: 600000, token });
  let model = modelArg;
  let info;
  if (!model) {
    model = `throughput-${crypto.randomBytes(3).toString('hex')}`;
    const dataset = await hpl.uploadFile(CSV, { targetColumn: TARGET, name: 'throughput bench' });
    info = await hpl.train(dataset.id, model, { method: 'SUPERVISED', hyperparameters: { iterations: 50 }, seed: 1, promote: true });
  } else {
    info = await hpl.getModel(model);
  }
  hpl.close();
  const all = readRows();
  const channels = Math.max(...CONCURRENCIES);
  // one channel (one HTTP/2 connection) per concurrent caller, as separate clients would have
  const clients = Array.from({ length: channels }, () => new grpc.Client(target, grpc.credentials.createInsecure(),
    { ...options, 'grpc.use_local_subchannel_pool': 1 }));
  console.log(`${model}: ${info.method} ${info.hyperparameters.hidden_layers} MLP, ${info.schema.encodedInputs.length} encoded inputs;`
    + ` ${SECONDS} s per cell; ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the start\n`);
  console.log('| form | rows/request | concurrency | requests | rows/s | p50 ms | p99 ms |');
  console.log('|---|---|---|---|---|---|---|');
  for (const rows of ROW_COUNTS) {
    const bodies = requests(model, info.schema, all, rows);
    for (const form of ['columns', 'x', 'stream']) {
      for (const concurrency of CONCURRENCIES) {
        const used = clients.slice(0, concurrency);
        const { latencies, seconds } = form === 'stream' ? await streamCell(used, bodies.stream, rows)
          : await unaryCell(used, bodies[form], rows, form);
        latencies.sort((a, b) => a - b);
        const label = form === 'stream' ? `stream (x, ${DEPTH} in flight per stream)` : form;
        console.log(`| ${label} | ${rows} | ${concurrency} | ${latencies.length} | `
          + `${Math.round((latencies.length * rows) / seconds).toLocaleString('en')} | ${percentile(latencies, 0.5).toFixed(2)} | `
          + `${percentile(latencies, 0.99).toFixed(2)} |`);
      }
    }
  }
  clients.forEach((c) => c.close());
}

main().catch((e) => { console.error(e); process.exit(1); });
