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

  await t.test('CLI example', () => {
    const out = execFileSync(process.execPath, [path.join(__dirname, '..', 'bin', 'hpl-cli.js'), '--server', SERVER, 'models'],
      { encoding: 'utf8', timeout: 60000 });
    assert.match(out, new RegExp(`${model} v1 SUPERVISED`));
  });
});
