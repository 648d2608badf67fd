// Report kind → contract family. The first detector report decides (analysis-contract.md).

import type { Family } from '../contract.ts';
import type { Report, TraceModel } from '../model/trace-model.ts';

export function familyOfReport(r: Report): Family {
  switch (r.kind) {
    case 'hung_task':
    case 'soft_lockup':
    case 'hard_lockup':
    case 'rcu_stall':
    case 'lockdep_circular':
    case 'lockdep_recursive':
    case 'lockdep_irq_inconsistent':
    case 'workqueue_lockup':
      return r.kind;
    case 'spinlock_recursion':
    case 'spinlock_lockup':
      return 'spinlock_recursion_or_lockup';
    // a device that cannot be freed: the task unregistering it sleeps until its references drop, with
    // no detector of its own (it is not in D state for long: msleep(250) in a loop)
    case 'netdev_unregister':
      return 'stuck_tasks';
    case 'scheduling_while_atomic':
    case 'sleeping_in_atomic':
    case 'workqueue_leak':
      return 'atomic_sleep';
    case 'panic': {
      // panic() messages of the detectors themselves (hung_task.c, watchdog.c, rcu)
      const m = r.message ?? '';
      if (m.startsWith('hung_task')) return 'hung_task';
      if (m.startsWith('softlockup')) return 'soft_lockup';
      if (/hard LOCKUP/i.test(m)) return 'hard_lockup';
      if (/RCU Stall/i.test(m)) return 'rcu_stall';
      return 'oops';
    }
    default:
      return 'oops';
  }
}

/**
 * The report that decides family and title: the first detector report that is not an NMI backtrace.
 * The unregister_netdevice line is printed every 10 s from the moment the device is unregistered, so
 * it comes before the hung-task reports it causes; it decides only when no detector report is there.
 */
export function primaryReport(model: TraceModel): Report | null {
  let netdev: Report | null = null;
  for (const r of model.reports) {
    if (r.kind === 'nmi_backtrace') continue;
    if (r.kind === 'panic' && isDeliberatePanic(r.message)) continue;
    if (r.kind === 'netdev_unregister') {
      netdev ??= r;
      continue;
    }
    return r;
  }
  return netdev;
}

/**
 * A panic the operator asked for, to get a dump of a machine that was already hung: sysrq-c
 * (drivers/tty/sysrq.c: "sysrq triggered crash" since v5.x, "SysRq : Trigger a crash" before) or an
 * injected NMI (arch/x86/kernel/nmi.c "NMI: Not continuing", "NMI IOCK error"). It says nothing about
 * the hang: the tasks in the dump do.
 */
export function isDeliberatePanic(message: string | null | undefined): boolean {
  return !!message && /sysrq triggered crash|SysRq ?: Trigger a crash|NMI: Not continuing|NMI IOCK error|Unknown NMI reason/i.test(message);
}
