// soft-lockup: "watchdog: BUG: soft lockup - CPU#N stuck for Ns!" (kernel/watchdog.c): a CPU ran
// kernel code without scheduling for longer than watchdog_thresh*2.
// From a crash session: watchdog_timer_fn calling panic (softlockup_panic=1; watchdog-panic.ts).

import type { Plugin } from '../plugin.ts';
import { crashLockupFinding, lockupFinding } from './lockup-finding.ts';
import { crashLockup } from '../../classify/watchdog-panic.ts';

export const softLockup: Plugin = {
  id: 'soft-lockup',
  title: 'Soft lockup: a CPU stuck in kernel code',
  families: ['soft_lockup', 'rcu_stall', 'hung_task'],
  run(model) {
    // a crash session with no detector report: the panicking task is the watchdog itself
    const wd = crashLockup(model);
    if (wd) return wd.kind === 'soft_lockup' ? [crashLockupFinding(model, wd, 'soft-lockup')] : [];
    return model.reports.filter((r) => r.kind === 'soft_lockup').slice(0, 8).map((r) => lockupFinding(model, r, 'soft-lockup'))
      .filter((f, i, all) => all.findIndex((g) => g.headline === f.headline) === i) // the same report pasted twice
      .slice(0, 4);
  },
};

export default softLockup;
