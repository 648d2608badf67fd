// worker_threads entry: runs analyze() for one large paste off the main event loop. Plain .mjs so the
// Worker can load it; the analyzer module is TypeScript, so tsx's loader is registered here (module
// hooks from the parent's `--import tsx` do not reach a worker on Node 20).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();

const mod = await import(workerData.module);
const fn = mod[workerData.exportName ?? 'analyze'];
parentPort.on('message', (job) => {
  try {
    const analysis = fn(job.text, job.opts);
    parentPort.postMessage({ id: job.id, ok: true, analysis });
  } catch (e) {
    parentPort.postMessage({ id: job.id, ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});
