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
async function aliases(hpl: HplClient): Promise<void> {
  const before: number = await hpl.setAlias('m', 'production', 2);
  const r = await hpl.predictVersioned('m', [{ a: 1 }], { alias: 'production' });
  const v: number = r.version + before + (await hpl.deleteAlias('m', 'production'));
  const info = await hpl.getModel('m', 0, 'candidate');
  const a: string[] = info.aliases; const l: boolean = info.loaded;
  await hpl.startTraining('ds', 'm', { promote: true });
  console.log(v, a, l);
}
void aliases;
