// Console/dmesg recognizers for the parse dispatcher (detector reports, Call Trace blocks, lockdep).

import type { Recognizer } from '../recognizer.ts';
import { consoleRecognizer } from './console-block.ts';
import { heldLocksRecognizer } from './held-locks-recognizer.ts';
import { csdRecognizer } from './csd-line.ts';

export type { ConsoleLine } from './console-block.ts';
export const consoleRecognizers: Recognizer[] = [heldLocksRecognizer, csdRecognizer, consoleRecognizer];
