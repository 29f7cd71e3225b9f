'use strict';
// HplClient against a live hpl-server whose host:port is in $HPL_SERVER (skipped when unset):
//   cd clients/node && HPL_SERVER=localhost:9000 npm test
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { execFileSync } = require('child_process');
const crypto = require('crypto');
const { HplClient, HplError } = require('../src/client');

const SERVER = process.env.HPL_SERVER;
const SAMPLES = path.join(__dirname, '..', '..', 'samples');
const HOUSE = {
  yrbuilt: 1927, stories: 'one', TLA: 1137, wall: 'metlvnyl', beds: 3, baths: 1, halfbaths: 1, frontage: 40,
  depth: 140, garage: 'detached', garagesqft: 486, rooms: 6, lotsize: 5600, syear: 1998,
};

test('HplClient against a live server', { skip: !SERVER && 'set HPL_SERVER=host:port of a running hpl-server' }, async (t) => {
  const hpl = new HplClient(SERVER);
  const model = `js-${crypto.randomBytes(4).toString('hex')}`;
  t.after(async () => { await hpl.deleteModel(model).catch(() => {}); hpl.close(); });

  let trainSet;
  await t.test('health', async () => {
    assert.equal(await hpl.serving(), true);
    assert.equal(await hpl.serving('hpl.v1.RegressionService'), true);
  });

  await t.test('upload in chunks', async () => {
    trainSet = await hpl.uploadFile(path.join(SAMPLES, 'house_lucas_train.csv'),
      { targetColumn: 'log_price', name: 'house train', chunkBytes: 16 * 1024 });
    assert.equal(trainSet.labelledRows, 300);
    assert.equal(trainSet.unlabelledRows, 2700);
    const again = await hpl.uploadFile(path.join(SAMPLES, 'house_lucas_train.csv'),
      { targetColumn: 'log_price', name: 'house train' });
    assert.equal(again.id, trainSet.id, 'content-addressed: chunking does not change the id');
  });

  await t.test('train with progress', async () => {
    const progress = [];
    const info = await hpl.train(trainSet.id, model, {
      method: 'SUPERVISED', seed: 3, hyperparameters: { iterations: 60, hidden_layers: '16', progress_every: 20 },
      onProgress: (p) => progress.push(p.iteration),
    });
    assert.deepEqual(progress, [20, 40, 60]);
    assert.equal(info.version, 1);
    assert.equal(info.hyperparameters.iterations, '60');
  });

  await t.test('predict', async () => {
    const predictions = await hpl.predict(model, [HOUSE, { ...HOUSE, TLA: 2400 }]);
    assert.equal(predictions.length, 2);
    for (const p of predictions) {
      assert.ok(p.mean > 9 && p.mean < 14, `log price ${p.mean}`);
      assert.ok(p.variance > 0);
      assert.ok(p.lower < p.mean && p.mean < p.upper, `the 90% interval by default: ${JSON.stringify(p)}`);
    }
    const [narrow] = await hpl.predict(model, [HOUSE], { intervalLevel: 0.5 });
    assert.ok(narrow.upper - narrow.lower < predictions[0].upper - predictions[0].lower);
  });

  await t.test('evaluate on a dataset and inline', async () => {
    const testSet = await hpl.uploadFile(path.join(SAMPLES, 'house_lucas_test.csv'), { targetColumn: 'log_price' });
    const metrics = await hpl.evaluate(model, { datasetId: testSet.id });
    assert.equal(metrics.rows, 500);
    assert.ok(metrics.mae < 1.0, `MAE ${metrics.mae}`);
    assert.equal((await hpl.evaluate(model, { rows: [{ ...HOUSE, log_price: 11.3 }] })).rows, 1);
  });

  await t.test('list models', async () => {
    assert.deepEqual((await hpl.listModels(model)).map((m) => [m.name, m.version]), [[model, 1]]);
  });

  await t.test('errors carry the status and message', async () => {
    await assert.rejects(hpl.predict(model, [{ ...HOUSE, stories: 'three' }]),
      (e) => e instanceof HplError && e.code === 'INVALID_ARGUMENT' && e.details.includes("unknown category 'three'"));
    await assert.rejects(hpl.getModel(`no-such-model-${Date.now()}`), (e) => e.code === 'NOT_FOUND');
  });

  await t.test('jobs: start (requestId), watch, leave, reattach from a sequence, succeed', async () => {
    const jobModel = `${model}-job`;
    t.after(async () => { await hpl.deleteModel(jobModel).catch(() => {}); });
    const options = {
      method: 'SUPERVISED', seed: 3, requestId: `req-${jobModel}`,
      hyperparameters: { iterations: 400, hidden_layers: '16', progress_every: 50 },
    };
    const job = await hpl.startTraining(trainSet.id, jobModel, options);
    assert.match(job.id, /^job-/);
    assert.equal(job.state, 'JOB_STATE_QUEUED');
    assert.equal((await hpl.startTraining(trainSet.id, jobModel, options)).id, job.id, 'a retry with the requestId is the same job');

    // Watch until the first progress event, then leave (as a dropped connection would): the job goes on.
    const seen = [];
    const leave = new AbortController();
    const left = await hpl.watchJob(job.id, {
      signal: leave.signal,
      onEvent: (e) => { seen.push(e); if (e.event === 'progress') leave.abort(); },
    }).then(() => null, (e) => e);
    assert.ok(left instanceof HplError && left.code === 'CANCELLED', `leaving rejects CANCELLED: ${left}`);
    const numbered = seen.filter((e) => e.event !== 'heartbeat');
    assert.equal(numbered[0].event, 'accepted');
    assert.equal(left.nextSequence, numbered[numbered.length - 1].sequence + 1);

    const rest = [];
    const final = await hpl.watchJob(job.id, { fromSequence: left.nextSequence, onEvent: (e) => rest.push(e) });
    assert.equal(final.event, 'finished');
    const sequences = [...numbered, ...rest.filter((e) => e.event !== 'heartbeat')].map((e) => e.sequence);
    assert.deepEqual(sequences, sequences.map((_, i) => i), 'nothing lost, nothing repeated across the reattach');

    const done = await hpl.getJob(job.id);
    assert.equal(done.state, 'JOB_STATE_SUCCEEDED');
    assert.equal(done.modelVersion, final.finished.model.version);
    assert.deepEqual((await hpl.listJobs({ modelName: jobModel })).map((j) => j.id), [job.id]);
    assert.deepEqual((await hpl.listJobs({ state: 'JOB_STATE_SUCCEEDED', modelName: jobModel })).map((j) => j.id), [job.id]);
    assert.equal((await hpl.listModels(jobModel)).length, 1, 'one version published');
    await assert.rejects(hpl.cancelJob(job.id),
      (e) => e.code === 'FAILED_PRECONDITION' && e.details.includes('already succeeded'));
  });

  await t.test('jobs: cancel a running job; watchJob resolves with `cancelled`, nothing published', async () => {
    const jobModel = `${model}-cancelled`;
    const job = await hpl.startTraining(trainSet.id, jobModel, {
      method: 'SUPERVISED', hyperparameters: { iterations: 100000, hidden_layers: '16', progress_every: 10 },
    });
    const watched = hpl.watchJob(job.id, { onEvent: (e) => { if (e.event === 'progress') hpl.cancelJob(job.id).catch(() => {}); } });
    const final = await watched;
    assert.equal(final.event, 'cancelled');
    assert.equal((await hpl.getJob(job.id)).state, 'JOB_STATE_CANCELLED');
    assert.equal((await hpl.listModels(jobModel)).length, 0);
  });

  await t.test('CLI example', () => {
    const out = execFileSync(process.execPath, [path.join(__dirname, '..', 'bin', 'hpl-cli.js'), '--server', SERVER, 'models'],
      { encoding: 'utf8', timeout: 60000 });
    assert.match(out, new RegExp(`${model} v1 SUPERVISED`));
  });
});
