'use strict';
// A client of the Open Inference Protocol v2 (KServe / Triton) against hpl-server, over gRPC:
//   node oip-check.js HOST:PORT
// The OIP stub comes from proto/inference/open_inference_grpc.proto (KServe's file, loaded at run time by
// @grpc/proto-loader); the model is trained through hpl.v1 with the Node client in ../node. Checks ServerLive,
// ServerReady, ModelReady, ModelMetadata and ModelInfer (one tensor per column, as ModelMetadata lists them)
// against Predict's mean, variance and interval. Last stdout line: {"model", "row", "mean", "variance"} as JSON,
// for check.sh's REST (curl) half. Exits non-zero on the first mismatch.
const path = require('path');
const assert = require('node:assert/strict');
const crypto = require('crypto');
const NODE_CLIENT = path.join(__dirname, '..', 'node');
const grpc = require(require.resolve('@grpc/grpc-js', { paths: [NODE_CLIENT] }));
const protoLoader = require(require.resolve('@grpc/proto-loader', { paths: [NODE_CLIENT] }));
const { HplClient } = require(path.join(NODE_CLIENT, 'src', 'client'));

const target = process.argv[2] || process.env.HPL_SERVER || 'localhost:9000';
const definition = protoLoader.loadSync('inference/open_inference_grpc.proto', {
  includeDirs: [path.join(__dirname, '..', '..', 'proto')], longs: Number, defaults: true, oneofs: true,
});
const { GRPCInferenceService } = grpc.loadPackageDefinition(definition).inference;
const oip = new GRPCInferenceService(target, grpc.credentials.createInsecure());
const call = (method, request) => new Promise((resolve, reject) =>
  oip[method](request, { deadline: Date.now() + 60000 }, (err, res) => (err ? reject(err) : resolve(res))));
const close = (a, b, what) => assert.ok(Math.abs(a - b) <= 1e-6 * Math.abs(a), `${what}: Predict ${a}, OIP ${b}`);

const ROW = {
  yrbuilt: 1927, stories: 'one', TLA: 1137, wall: 'metlvnyl', beds: 3, baths: 1, halfbaths: 1, frontage: 40,
  depth: 140, garage: 'detached', garagesqft: 486, rooms: 6, lotsize: 5600, syear: 1998,
};

async function main() {
  const hpl = new HplClient(target);
  const model = `oip-${crypto.randomBytes(4).toString('hex')}`;
  const dataset = await hpl.uploadFile(path.join(__dirname, '..', 'samples', 'house_lucas_train.csv'),
    { targetColumn: 'log_price', name: 'oip check' });
  await hpl.train(dataset.id, model, { method: 'SUPERVISED', hyperparameters: { iterations: 200 }, seed: 1 });
  const [predicted] = await hpl.predict(model, [ROW], { intervalLevel: 0.8 });
  hpl.close();

  assert.equal((await call('ServerLive', {})).live, true);
  assert.equal((await call('ServerReady', {})).ready, true);
  assert.equal((await call('ModelReady', { name: model, version: '' })).ready, true);
  await assert.rejects(call('ModelReady', { name: `${model}-missing` }), (e) => e.code === grpc.status.NOT_FOUND);
  const metadata = await call('ModelMetadata', { name: model });
  assert.deepEqual(metadata.inputs.map((t) => t.name).sort(), Object.keys(ROW).sort());

  const inputs = metadata.inputs.map((t) => ({
    name: t.name, datatype: t.datatype, shape: [1],
    contents: t.datatype === 'BYTES' ? { bytesContents: [Buffer.from(String(ROW[t.name]))] }
      : { fp64Contents: [ROW[t.name]] },
  }));
  const answer = await call('ModelInfer', {
    modelName: model, id: 'oip-check', inputs, parameters: { interval_level: { doubleParam: 0.8 } },
  });
  assert.equal(answer.id, 'oip-check');
  const out = Object.fromEntries(answer.outputs.map((o) => [o.name, o.contents.fp32Contents[0]]));
  for (const name of ['mean', 'variance', 'lower', 'upper']) close(predicted[name], out[name], name);
  await assert.rejects(call('ModelInfer', { modelName: model, inputs: [{ ...inputs[0], datatype: 'BOOL' }] }),
    (e) => e.code === grpc.status.INVALID_ARGUMENT && e.details.includes('BOOL'));
  oip.close();
  console.log(`OIP gRPC: ${model} mean ${out.mean} variance ${out.variance} (Predict ${predicted.mean}, ${predicted.variance})`);
  console.log(JSON.stringify({ model, row: ROW, mean: predicted.mean, variance: predicted.variance }));
}

main().catch((e) => { console.error(e); process.exit(1); });
