import { HplClient, HplError, Metrics, TrainEvent } from 'hpl-client';
async function main(): Promise<void> {
  const hpl = new HplClient('localhost:9000', { token: 't', rootCerts: 'ca.pem', timeoutMs: null });
  const metrics: Metrics = await hpl.evaluate('m', { datasetId: 'ds' });
  const c: number = metrics.coverage90 + metrics.intervalCoverage50;
  const model = await hpl.waitForModel('j', { onEvent: (e: TrainEvent) => { if (e.event === 'progress') console.log(e.progress.iteration); } });
  console.log(c, model.calibrationMetrics?.mae);
  try { await hpl.getModel('x'); } catch (e) { if (e instanceof HplError) console.log(e.code, e.details); }
  hpl.close();
}
main();
