// Recognizers for what a live system shows: /proc/PID/stack and ps listings.

import type { Recognizer } from '../recognizer.ts';
import { procStackRecognizer } from './proc-stack-recognizer.ts';
import { psListingRecognizer } from './ps-listing-recognizer.ts';

export const procRecognizers: Recognizer[] = [procStackRecognizer, psListingRecognizer];
