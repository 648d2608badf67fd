// Titles in syzkaller's style ("INFO: task hung in FUNC", "possible deadlock in FUNC", ...), computed
// from the text of one report the way syzkaller's pkg/report/linux.go does it: take the report's
// lines (same printk caller context, up to the next report), find the stack part the report kind
// names (Call Trace / RIP / the lockdep "at:" line) and pick the guilty frame with its skip rules.
// Bounded: at most WINDOW lines after the header are read.

import type { DetectorKind } from '../model/trace-model.ts';
import { hangFrame, stallFrame } from './syz-frames.ts';
import { CALL_TRACE, RIP_RE, first, pick, reportText, type SyzTitle, type TextLine } from './syz-walk.ts';
import { lockdepTitle } from './syz-lockdep-title.ts';
import { lockdepOtherTitle, oopsTitle, panicTitle } from './syz-oops-title.ts';

export type { SyzTitle } from './syz-walk.ts';
export { demangle } from './syz-walk.ts';

/** syzkaller-style title for the report whose header is lines[start]; null when the kind has no rule. */
export function syzTitle(lines: readonly TextLine[], start: number, kind: DetectorKind): SyzTitle | null {
  const text = reportText(lines, start);
  const head = text[0]!;
  const done = (prefix: string, frame: string): SyzTitle => ({ title: `${prefix}${frame}`, frame: frame === 'corrupted' ? null : frame });
  switch (kind) {
    case 'hung_task':
      if (head.includes("can't die")) {
        return done("INFO: task can't die in ", pick(text, [CALL_TRACE, 'stack'], ['schedule'], first));
      }
      return done('INFO: task hung in ', pick(text, [CALL_TRACE, 'stack'], [], hangFrame));
    case 'soft_lockup':
      return done('BUG: soft lockup in ', pick(text, [RIP_RE, CALL_TRACE, 'stack'], [], stallFrame));
    case 'hard_lockup':
      return done('BUG: hard lockup in ', pick(text, [RIP_RE, CALL_TRACE, 'stack'], [], stallFrame));
    case 'rcu_stall':
      return done('INFO: rcu detected stall in ', pick(text, [/apic_timer_interrupt/, RIP_RE, 'stack'],
        ['apic_timer_interrupt', 'rcu'], stallFrame, [/apic_timer_interrupt|Exception stack|el1h_64_irq/, 'stack']));
    case 'lockdep_circular':
    case 'lockdep_recursive':
    case 'lockdep_irq_inconsistent':
      return lockdepTitle(text, head);
    case 'lockdep_other':
      return lockdepOtherTitle(text, head);
    case 'spinlock_recursion':
    case 'spinlock_lockup': {
      const m = /BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|cpu recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)/.exec(head);
      return done(`BUG: ${m?.[1] ?? 'spinlock'} ${m?.[2] ?? (kind === 'spinlock_lockup' ? 'lockup suspected' : 'recursion')} in `,
        pick(text, [CALL_TRACE, 'stack'], ['spin_', '_lock', '_unlock'], first));
    }
    case 'workqueue_lockup':
      return { title: 'BUG: workqueue lockup', frame: null };
    case 'netdev_unregister':
      // syzkaller names the device DEV: the same leak on another machine has another device name
      return { title: 'unregister_netdevice: waiting for DEV to become free', frame: null };
    case 'sleeping_in_atomic':
      return done('BUG: sleeping function called from invalid context in ', pick(text, [CALL_TRACE, 'stack'], [], first));
    case 'scheduling_while_atomic':
      return done('BUG: scheduling while atomic in ', pick(text, [CALL_TRACE, 'stack'], ['schedule'], first));
    case 'panic':
      return panicTitle(text, head);
    case 'oops':
    case 'workqueue_leak': // syzkaller: "BUG: workqueue leaked lock or atomic in <last function>"
      return oopsTitle(text, head);
    default:
      return null;
  }
}
