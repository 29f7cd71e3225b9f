'use strict';
// Image datasets through HplClient against a live hpl-server at $HPL_SERVER (skipped when unset).
const test = require('node:test');
const assert = require('node:assert/strict');
const zlib = require('zlib');
const crypto = require('crypto');
const { HplClient, HplError } = require('../src/client');

const SERVER = process.env.HPL_SERVER;
const SIZE = 10;

/** An 8-bit grey PNG of rows of 0-255 values, written with zlib alone. */
function png(rows) {
  const chunk = (kind, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(kind), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(rows[0].length, 0); ihdr.writeUInt32BE(rows.length, 4); ihdr[8] = 8; // 8-bit grey
  const raw = Buffer.concat(rows.map((r) => Buffer.from([0, ...r])));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A ustar archive of {name: Buffer}, gzipped. */
function tarGz(files) {
  const blocks = [];
  for (const [name, data] of Object.entries(files)) {
    const h = Buffer.alloc(512);
    h.write(name, 0); h.write('0000644\0', 100); h.write('0000000\0', 108); h.write('0000000\0', 116);
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124); h.write('00000000000\0', 136);
    h.write('        ', 148); h.write('0', 156); h.write('ustar\0', 257); h.write('00', 263);
    let sum = 0; for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(blocks));
}

/** A bright square of side 2..6 on a dark background; the target is the side. */
function square(next) {
  const side = 2 + (next() % 5);
  const top = next() % (SIZE - side + 1);
  const left = next() % (SIZE - side + 1);
  const rows = [];
  for (let y = 0; y < SIZE; y++) {
    const row = [];
    for (let x = 0; x < SIZE; x++) row.push(y >= top && y < top + side && x >= left && x < left + side ? 200 : next() % 21);
    rows.push(row);
  }
  return { rows, side };
}

test('image datasets against a live server', { skip: !SERVER && 'set HPL_SERVER=host:port of a running hpl-server' }, async () => {
  let state = 7;
  const next = () => { state = (state * 1103515245 + 12345) % 2147483648; return state >> 8; };
  const files = {};
  const index = ['file,side'];
  for (let i = 0; i < 120; i++) {
    const { rows, side } = square(next);
    files[`img/${i}.png`] = png(rows);
    index.push(`img/${i}.png,${i < 60 ? side : ''}`);
  }
  files['labels.csv'] = Buffer.from(index.join('\n') + '\n');
  const archive = tarGz(files);
  const hpl = new HplClient(SERVER);
  const model = `js-img-${crypto.randomBytes(4).toString('hex')}`;
  try {
    const chunks = [];
    for (let i = 0; i < archive.length; i += 4096) chunks.push(archive.subarray(i, i + 4096));
    const info = await hpl.uploadImages(chunks, { channels: 1, height: SIZE, width: SIZE, targetColumn: 'side', name: 'squares' });
    assert.equal(info.labelledRows, 60);
    assert.equal(info.unlabelledRows, 60);
    const trained = await hpl.train(info.id, model, { method: 'HPL', hyperparameters: { iterations: 30, batch_size: 16 } });
    assert.equal(trained.hyperparameters.backbone, 'small_cnn');
    const { rows } = square(next);
    const [byBytes] = await hpl.predictImages(model, [png(rows)]);
    const [byTensor] = await hpl.predictImages(model, [rows.flat().map((v) => v / 255)]);
    assert.ok(byBytes.variance > 0);
    assert.ok(Math.abs(byBytes.mean - byTensor.mean) < 1e-5, `${byBytes.mean} vs ${byTensor.mean}`);
    await assert.rejects(hpl.predictImages(model, [png([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])]),
      (e) => e instanceof HplError && e.code === 'INVALID_ARGUMENT' && e.details.includes('4x4'));
  } finally {
    await hpl.deleteModel(model).catch(() => {});
    hpl.close();
  }
});
