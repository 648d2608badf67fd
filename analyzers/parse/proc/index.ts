// Recognizers for what a live system shows: /proc/PID/stack, ps listings and /proc/modules.

import type { Recognizer } from '../recognizer.ts';
import { procStackRecognizer } from './proc-stack-recognizer.ts';
import { psListingRecognizer } from './ps-listing-recognizer.ts';
import { procModulesRecognizer } from './modules-recognizer.ts';

export const procRecognizers: Recognizer[] = [procStackRecognizer, psListingRecognizer, procModulesRecognizer];
