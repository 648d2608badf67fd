// soft-lockup: "watchdog: BUG: soft lockup - CPU#N stuck for Ns!" (kernel/watchdog.c): a CPU ran
// kernel code without scheduling for longer than watchdog_thresh*2.

import type { Plugin } from '../plugin.ts';
import { lockupFinding } from './lockup-finding.ts';

export const softLockup: Plugin = {
  id: 'soft-lockup',
  title: 'Soft lockup: a CPU stuck in kernel code',
  families: ['soft_lockup', 'rcu_stall', 'hung_task'],
  run(model) {
    return model.reports.filter((r) => r.kind === 'soft_lockup').slice(0, 8).map((r) => lockupFinding(model, r, 'soft-lockup'))
      .filter((f, i, all) => all.findIndex((g) => g.headline === f.headline) === i) // the same report pasted twice
      .slice(0, 4);
  },
};

export default softLockup;
