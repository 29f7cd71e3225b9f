'use strict';
// HplClient against an in-process fake server (no hpl-server needed): the token header, deadlines, proto JSON
// field names, WatchJob reattach, and that client.d.ts names every field of the messages it types.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const { HplClient, HplError, jsonName, definition } = require('../src/client');

const service = grpc.loadPackageDefinition(definition).hpl.v1.RegressionService.service;

/** Starts a server with these handlers (the rest UNIMPLEMENTED); resolves to { target, calls, stop }. */
async function fake(handlers) {
  const server = new grpc.Server();
  const calls = {};
  const recorded = {};
  for (const [name, handler] of Object.entries(handlers)) {
    recorded[name] = (call, ...rest) => {
      calls[name] = { metadata: call.metadata.getMap(), deadline: call.getDeadline() };
      return handler(call, ...rest);
    };
  }
  server.addService(service, recorded);
  const port = await new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0',
    grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { target: `127.0.0.1:${port}`, calls, stop: () => server.forceShutdown() };
}

const METRICS = {
  rows: 3, mae: 0.5, coverage90: 0.9, intervalCoverage50: 0.5, intervalCoverage95: 0.95,
  reliability: [{ level: 0.5, coverage: 0.5 }],
};

test('proto JSON names: coverage_90 is coverage90, interval_coverage_50 is intervalCoverage50', async (t) => {
  assert.equal(jsonName('coverage_90'), 'coverage90');
  assert.equal(jsonName('interval_coverage_50'), 'intervalCoverage50');
  assert.equal(jsonName('spearman_variance_abs_error'), 'spearmanVarianceAbsError');
  const server = await fake({ Evaluate: (call, done) => done(null, { metrics: METRICS }) });
  const hpl = new HplClient(server.target);
  t.after(() => { hpl.close(); server.stop(); });
  const metrics = await hpl.evaluate('m', { datasetId: 'ds-1' });
  assert.equal(metrics.coverage90, 0.9); // sent and read by the JSON names: a wrong name would come back 0
  assert.equal(metrics.intervalCoverage50, 0.5);
  assert.equal(metrics.intervalCoverage95, 0.95);
  assert.ok(!('coverage_90' in metrics) && !('intervalCoverage_50' in metrics));
});

test('the token goes on unary, client- and server-streaming calls; uploads have no deadline', async (t) => {
  const server = await fake({
    ListModels: (call, done) => done(null, { models: [] }),
    UploadDataset: (call, done) => { call.on('data', () => {}); call.on('end', () => done(null, { id: 'ds-1' })); },
    WatchJob: (call) => {
      call.write({ sequence: 0, finished: { jobId: 'j', model: { name: 'm', version: 4 } } });
      call.end();
    },
  });
  const hpl = new HplClient(server.target, { token: 's3cret', timeoutMs: 30000 });
  t.after(() => { hpl.close(); server.stop(); });
  await hpl.listModels();
  assert.equal((await hpl.upload([Buffer.from('a,y\n1,2\n')], { targetColumn: 'y' })).id, 'ds-1');
  assert.equal((await hpl.waitForModel('j')).version, 4);
  for (const name of ['ListModels', 'UploadDataset', 'WatchJob']) {
    assert.equal(server.calls[name].metadata.authorization, 'Bearer s3cret', name);
  }
  assert.equal(server.calls.UploadDataset.deadline, Infinity, 'no deadline on an upload by default');
  const left = Number(server.calls.ListModels.deadline) - Date.now(); // a Date or epoch ms
  assert.ok(left > 0 && left <= 30000, `unary calls keep the client's 30 s deadline: ${left} ms left`);
});

test('no token, no authorization header', async (t) => {
  const server = await fake({ ListModels: (call, done) => done(null, { models: [] }) });
  const hpl = new HplClient(server.target);
  t.after(() => { hpl.close(); server.stop(); });
  await hpl.listModels();
  assert.equal(server.calls.ListModels.metadata.authorization, undefined);
});

test('waitForModel reattaches after UNAVAILABLE from the last sequence + 1; a failed job is not retried', async (t) => {
  const from = [];
  let failJob = false;
  const server = await fake({
    WatchJob: (call) => {
      from.push(call.request.fromSequence);
      const events = [
        { sequence: 0, accepted: { jobId: 'j' } },
        { sequence: 1, progress: { iteration: 10, totalIterations: 20 } },
        { sequence: 2, progress: { iteration: 20, totalIterations: 20 } },
        failJob ? { sequence: 3, failed: { code: 'UNAVAILABLE', message: 'the job itself failed' } }
          : { sequence: 3, finished: { model: { name: 'm', version: 2 } } },
      ].filter((e) => e.sequence >= call.request.fromSequence);
      for (const e of events) {
        if (!failJob && from.length === 1 && e.sequence === 2) {
          call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'server shutting down' });
          return;
        }
        call.write(e);
      }
      if (failJob) call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'the job itself failed' });
      else call.end();
    },
  });
  const hpl = new HplClient(server.target);
  t.after(() => { hpl.close(); server.stop(); });
  const seen = [];
  const reattached = [];
  const model = await hpl.waitForModel('j', {
    backoffMs: 0, onEvent: (e) => seen.push(e.sequence), onReattach: (e, n) => reattached.push([e.code, n]),
  });
  assert.equal(model.version, 2);
  assert.deepEqual(from, [0, 2]);
  assert.deepEqual(seen, [0, 1, 2, 3]);
  assert.deepEqual(reattached, [['UNAVAILABLE', 1]]);

  failJob = true;
  from.length = 0;
  await assert.rejects(hpl.waitForModel('j', { backoffMs: 0 }),
    (e) => e instanceof HplError && e.code === 'UNAVAILABLE' && e.jobFailed === true);
  assert.deepEqual(from, [0], 'the job failed: watching again would not change that');
});

test('waitForModel reattaches a stream silent past idleTimeoutMs', async (t) => {
  const from = [];
  const server = await fake({
    WatchJob: (call) => {
      from.push(call.request.fromSequence);
      if (from.length === 1) { // a connection gone quiet: one event, then nothing until the client cancels
        call.write({ sequence: 0, accepted: { jobId: 'j' } });
        return;
      }
      call.write({ sequence: 1, finished: { model: { name: 'm', version: 3 } } });
      call.end();
    },
  });
  const hpl = new HplClient(server.target);
  t.after(() => { hpl.close(); server.stop(); });
  const reasons = [];
  const model = await hpl.waitForModel('j', { backoffMs: 0, idleTimeoutMs: 300, onReattach: (e) => reasons.push(e.details) });
  assert.equal(model.version, 3);
  assert.deepEqual(from, [0, 1]);
  assert.match(reasons[0], /no event from job j for 300 ms, not even a heartbeat/);
});

test('client.d.ts names every field of the messages it types, by their JSON names', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'src', 'client.d.ts'), 'utf8');
  const typed = ['Column', 'Schema', 'DatasetInfo', 'Metrics', 'ModelInfo', 'JobInfo', 'TrainRequest', 'TrainProgress',
    'Prediction', 'MethodInfo', 'HyperParameterSpec', 'Selection', 'SelectionCandidate', 'CoveragePoint',
    'JobHistoryEntry', 'ImageShape'];
  for (const name of typed) {
    const body = dts.match(new RegExp(`export interface ${name} \\{([^}]*)\\}`));
    assert.ok(body, `interface ${name} in client.d.ts`);
    const declared = [...body[1].replace(/\/\*\*[^]*?\*\//g, '').matchAll(/(\w+)\??:/g)].map((m) => m[1]).sort();
    const proto = definition[`hpl.v1.${name}`].type.field.map((f) => f.name).sort();
    assert.deepEqual(declared, proto, name);
  }
});

test('aliases: setAlias, deleteAlias, alias on predict/evaluate/getModel, promote on training', async (t) => {
  const seen = [];
  const server = await fake({
    SetAlias: (call, done) => { seen.push(['SetAlias', call.request]); done(null, { version: call.request.version, previousVersion: 1 }); },
    DeleteAlias: (call, done) => { seen.push(['DeleteAlias', call.request]); done(null, { version: 2 }); },
    Predict: (call, done) => {
      seen.push(['Predict', call.request]);
      done(null, { modelName: 'm', version: 2, predictions: [{ mean: 2, variance: 0.1, lower: 1, upper: 3 }] });
    },
    Evaluate: (call, done) => { seen.push(['Evaluate', call.request]); done(null, { version: 2, metrics: METRICS }); },
    GetModel: (call, done) => { seen.push(['GetModel', call.request]); done(null, { name: 'm', version: 2, aliases: ['production'], loaded: true }); },
    StartTraining: (call, done) => { seen.push(['StartTraining', call.request]); done(null, { id: 'job-1' }); },
  });
  const client = new HplClient(server.target, { timeoutMs: 5000 });
  t.after(() => { client.close(); server.stop(); });

  assert.equal(await client.setAlias('m', 'production', 2), 1);
  assert.deepEqual(await client.predictVersioned('m', [{ a: 1 }], { alias: 'production' }),
    { version: 2, predictions: [{ mean: 2, variance: 0.1, lower: 1, upper: 3 }] });
  await client.evaluate('m@candidate', { rows: [{ a: 1, y: 2 }] });
  await client.evaluate('m', { datasetId: 'ds-1', alias: 'candidate' });
  const info = await client.getModel('m', 0, 'production');
  assert.deepEqual([info.aliases, info.loaded], [['production'], true]);
  assert.equal(await client.deleteAlias('m', 'production'), 2);
  await client.startTraining('ds-1', 'm');
  await client.startTraining('ds-1', 'm', { promote: true });

  const fields = seen.map(([method, r]) => [method, r.modelName ?? r.name, r.alias, r.version ?? null, r.promote ?? null]);
  assert.deepEqual(fields, [
    ['SetAlias', 'm', 'production', 2, null],
    ['Predict', 'm', 'production', 0, null],
    ['Evaluate', 'm@candidate', '', 0, null],
    ['Evaluate', 'm', 'candidate', 0, null],
    ['GetModel', 'm', 'production', 0, null],
    ['DeleteAlias', 'm', 'production', null, null],
    ['StartTraining', 'm', undefined, null, false],
    ['StartTraining', 'm', undefined, null, true],
  ]);
});

test('predictColumns and predictEncoded: Float32Array as floats, numbers as doubles, strings as texts; packed answers', async (t) => {
  const seen = [];
  const server = await fake({
    Predict: (call, done) => {
      seen.push(call.request);
      const n = call.request.x ? call.request.x.values.length / call.request.x.width
        : call.request.columns.columns[0].floats.length + call.request.columns.columns[0].doubles.length;
      const mean = Array.from({ length: n }, (_, i) => i);
      done(null, { version: 4, packed: { mean, variance: mean.map(() => 1), lower: mean.map((m) => m - 1), upper: mean.map((m) => m + 1) } });
    },
  });
  const client = new HplClient(server.target, { timeoutMs: 5000 });
  t.after(() => { client.close(); server.stop(); });

  const answer = await client.predictColumns('m', { a: new Float32Array([1.5, 2.5]), b: [3, NaN], c: ['red', ''] });
  assert.deepEqual(answer, { version: 4, mean: [0, 1], variance: [1, 1], lower: [-1, 0], upper: [1, 2] });
  const columns = Object.fromEntries(seen[0].columns.columns.map((c) => [c.name, c]));
  assert.deepEqual(columns.a.floats, [1.5, 2.5]);
  assert.equal(columns.b.doubles[0], 3);
  assert.ok(Number.isNaN(columns.b.doubles[1]));
  assert.deepEqual(columns.c.texts, ['red', '']);
  assert.deepEqual((await client.predictEncoded('m', new Float32Array([1, 0, 2, 1, 3, 0]), 2)).mean, [0, 1, 2]);
  assert.equal(seen[1].x.width, 2);
});
