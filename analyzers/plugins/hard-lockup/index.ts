// hard-lockup: "NMI watchdog: Watchdog detected hard LOCKUP on cpu N" (kernel/watchdog_perf.c): the
// CPU took no timer interrupt for watchdog_thresh seconds, so it spins with interrupts disabled.
// From a crash session: the perf NMI calling nmi_panic from watchdog_hardlockup_check (watchdog-panic.ts).

import type { Plugin } from '../plugin.ts';
import { crashLockupFinding, lockupFinding } from '../soft-lockup/lockup-finding.ts';
import { crashLockup } from '../../classify/watchdog-panic.ts';

export const hardLockup: Plugin = {
  id: 'hard-lockup',
  title: 'Hard lockup: a CPU stuck with interrupts disabled',
  families: ['hard_lockup', 'soft_lockup', 'rcu_stall'],
  run(model) {
    // a crash session with no detector report: the panicking task is the watchdog itself
    const wd = crashLockup(model);
    if (wd) return wd.kind === 'hard_lockup' ? [crashLockupFinding(model, wd, 'hard-lockup')] : [];
    return model.reports.filter((r) => r.kind === 'hard_lockup').slice(0, 8).map((r) => lockupFinding(model, r, 'hard-lockup'))
      .filter((f, i, all) => all.findIndex((g) => g.headline === f.headline) === i) // the same report pasted twice
      .slice(0, 4);
  },
};

export default hardLockup;
