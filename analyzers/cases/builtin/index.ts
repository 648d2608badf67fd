// The built-in cases (one JSON file per documented case in this folder), bundled as data so the
// engine needs no file I/O. Add a case: drop a JSON file here and list it below.

import type { CaseDef } from '../schema.ts';
import gpu from './gpu-ww-mutex-rmmod-flush.json' with { type: 'json' };
import bfq from './bfq-spin-unlock-irq-reentry.json' with { type: 'json' };
import timer from './module-unload-armed-timer.json' with { type: 'json' };
import mmap from './mmap-sem-reader-writer-cycle.json' with { type: 'json' };
import mpt from './mpt2sas-init-completion-ticket-corruption.json' with { type: 'json' };

export const BUILTIN_CASES: readonly CaseDef[] = ([gpu, bfq, timer, mmap, mpt] as unknown as CaseDef[]).map((c) => ({ ...c, origin: 'builtin' as const }));
