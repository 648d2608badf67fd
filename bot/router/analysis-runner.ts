// Runs the analyzer: in-process for ordinary pastes, in a worker thread above `asyncBytes` so one
// 16 MiB `foreach bt` does not stall every other chat event, health check and digest behind it.

import { Worker } from 'node:worker_threads';
import type { Analysis } from '../../analyzers/contract.ts';
import { LockdownError } from '../../config/errors.ts';

export type AnalyzeFn = (text: string, opts?: Record<string, unknown>) => Analysis;

export interface AnalysisRunnerOptions {
  analyze: AnalyzeFn;
  /** Above this many UTF-16 code units (≈ bytes for traces) the analysis runs in a worker. */
  asyncBytes: number;
  /** URL of the module exporting the analyze function for the worker (default: analyzers/analyze.ts). */
  workerModule?: string;
  exportName?: string;
  analyzeOpts?: Record<string, unknown>;
  timeoutMs?: number;
}

export interface AnalysisRunner {
  run(text: string): Promise<{ analysis: Analysis; inWorker: boolean }>;
}

const DEFAULT_MODULE = new URL('../../analyzers/analyze.ts', import.meta.url).href;
const WORKER_URL = new URL('./analysis-worker.mjs', import.meta.url);

export function createAnalysisRunner(o: AnalysisRunnerOptions): AnalysisRunner {
  return {
    async run(text) {
      if (text.length <= o.asyncBytes) return { analysis: o.analyze(text, o.analyzeOpts), inWorker: false };
      return { analysis: await inWorker(text, o), inWorker: true };
    },
  };
}

function inWorker(text: string, o: AnalysisRunnerOptions): Promise<Analysis> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, {
      workerData: { module: o.workerModule ?? DEFAULT_MODULE, exportName: o.exportName ?? 'analyze' },
    });
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(() => finish(() => reject(new LockdownError('LD_INTERNAL', 'analysis worker timed out', { userMessage: 'The analysis took too long; the paste was kept.' }))), o.timeoutMs ?? 120_000);
    worker.on('message', (m: { ok: boolean; analysis?: Analysis; message?: string }) => {
      finish(() => (m.ok && m.analysis ? resolve(m.analysis) : reject(new LockdownError('LD_INTERNAL', `analysis worker failed: ${m.message ?? '?'}`))));
    });
    worker.on('error', (e) => finish(() => reject(new LockdownError('LD_INTERNAL', `analysis worker crashed: ${e.message}`, { cause: e }))));
    worker.on('exit', (code) => finish(() => reject(new LockdownError('LD_INTERNAL', `analysis worker exited with ${code}`))));
    worker.postMessage({ id: 1, text, opts: o.analyzeOpts });
  });
}
