// The generic per-family plugins (one finding per report kind, lower confidence than the mechanism
// analyzers that recognise a specific documented bug).

import type { Plugin } from './plugin.ts';
import { hungTaskBlocked } from './hung-task-blocked/index.ts';
import { softLockup } from './soft-lockup/index.ts';
import { hardLockup } from './hard-lockup/index.ts';
import { lockdepReport } from './lockdep-report/index.ts';
import { rcuStall } from './rcu-stall/index.ts';
import { workqueueLockup } from './workqueue-lockup/index.ts';
import { atomicSleep } from './atomic-sleep/index.ts';
import { spinlockDebug } from './spinlock-debug/index.ts';

export const genericPlugins: Plugin[] = [
  hungTaskBlocked,
  softLockup,
  hardLockup,
  lockdepReport,
  rcuStall,
  workqueueLockup,
  atomicSleep,
  spinlockDebug,
];
