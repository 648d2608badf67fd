// crash read errors: "rd: invalid kernel virtual address: ffffffffa88b53b0  type: "64-bit KVADDR""
// (seed 002: a register points into freed module memory).

import { addFormat, type Recognizer } from '../recognizer.ts';

const INVALID = /^(?:crash: |\w{1,16}: )?invalid (?:kernel|user) virtual address: (?:0x)?([0-9a-fA-F]{1,16})\b/;

export const crashRdErrorRecognizer: Recognizer = {
  name: 'crash-rd',
  starts(lines, i) {
    return INVALID.test(lines[i].text);
  },
  consume(lines, i, model) {
    const m = INVALID.exec(lines[i].text);
    if (m) {
      model.invalidAddresses.push({ address: m[1].toLowerCase(), line: lines[i].no });
      addFormat(model, 'crash-rd');
    }
    return i + 1;
  },
};
