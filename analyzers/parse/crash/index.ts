// The crash(8) recognizers, most specific first.

import type { Recognizer } from '../recognizer.ts';
import { crashBtRecognizer } from './bt-recognizer.ts';
import { crashCommandRecognizer } from './command-recognizer.ts';
import { crashKmemRecognizer } from './kmem-recognizer.ts';
import { crashPrintRecognizer } from './print-recognizer.ts';
import { crashPsRecognizer } from './ps-recognizer.ts';
import { crashRdErrorRecognizer } from './rd-error-recognizer.ts';
import { crashStructRecognizer } from './struct-recognizer.ts';
import { crashSysRecognizer } from './sys-recognizer.ts';
import { crashWaiterListRecognizer } from './waiter-list-recognizer.ts';

export const crashRecognizers: Recognizer[] = [
  crashSysRecognizer,
  crashBtRecognizer,
  crashPsRecognizer,
  crashWaiterListRecognizer,
  crashPrintRecognizer,
  crashStructRecognizer,
  crashRdErrorRecognizer,
  crashKmemRecognizer,
  crashCommandRecognizer,
];
