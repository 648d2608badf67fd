// Every recognizer the parser runs, in the order the dispatcher asks them. crash and /proc formats
// come first: their block starts are unambiguous ("PID: N TASK:", "crash> struct ..."), and a crash
// backtrace must not be taken for console text. The console/dmesg recognizers follow.

import { consoleRecognizers } from './console/index.ts';
import { crashRecognizers } from './crash/index.ts';
import { procRecognizers } from './proc/index.ts';
import type { Recognizer } from './recognizer.ts';

export const recognizers: readonly Recognizer[] = [...crashRecognizers, ...procRecognizers, ...consoleRecognizers];
