'use strict';
// Prints when each event of a quiet job arrives (no progress events: progress_every above iterations),
// so the heartbeats' timing can be seen; cancels the job after the second heartbeat.
//   HPL_SERVER=localhost:9000 node examples/heartbeats.js
const path = require('path');
const { HplClient } = require('../src/client');

(async () => {
  const hpl = new HplClient(process.env.HPL_SERVER || 'localhost:9000');
  const ds = await hpl.uploadFile(path.join(__dirname, '..', '..', 'samples', 'house_lucas_train.csv'), { targetColumn: 'log_price' });
  const job = await hpl.startTraining(ds.id, 'heartbeat-example', {
    method: 'SUPERVISED', hyperparameters: { iterations: 100000, progress_every: 1000000, hidden_layers: '16' },
  });
  const t0 = Date.now();
  let beats = 0;
  const final = await hpl.watchJob(job.id, {
    onEvent: (e) => {
      console.log(`${((Date.now() - t0) / 1000).toFixed(2)} s ${e.event} seq ${e.sequence}`,
        e.event === 'heartbeat' ? JSON.stringify(e.heartbeat) : '');
      if (e.event === 'heartbeat' && ++beats === 2) hpl.cancelJob(job.id).catch(console.error);
    },
  });
  console.log('final:', final.event);
  hpl.close();
})().catch((e) => { console.error(e); process.exit(1); });
