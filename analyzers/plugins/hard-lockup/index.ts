// hard-lockup: "NMI watchdog: Watchdog detected hard LOCKUP on cpu N" (kernel/watchdog_perf.c): the
// CPU took no timer interrupt for watchdog_thresh seconds, so it spins with interrupts disabled.

import type { Plugin } from '../plugin.ts';
import { lockupFinding } from '../soft-lockup/lockup-finding.ts';

export const hardLockup: Plugin = {
  id: 'hard-lockup',
  title: 'Hard lockup: a CPU stuck with interrupts disabled',
  families: ['hard_lockup', 'soft_lockup', 'rcu_stall'],
  run(model) {
    return model.reports.filter((r) => r.kind === 'hard_lockup').slice(0, 8).map((r) => lockupFinding(model, r, 'hard-lockup'))
      .filter((f, i, all) => all.findIndex((g) => g.headline === f.headline) === i) // the same report pasted twice
      .slice(0, 4);
  },
};

export default hardLockup;
