// Task states as Task.state: 'D' uninterruptible, 'R' running, 'S' sleeping, 'T' stopped/traced,
// 'Z' zombie, 'I' idle kthread, 'X' dead. crash prints two letters (UN/RU/IN...), ps one letter
// plus modifiers ("D+", "Ds", "S<l"), sysrq-t and /proc/PID/status words.

const CRASH: Record<string, string> = { UN: 'D', RU: 'R', IN: 'S', ST: 'T', TR: 'T', ZO: 'Z', ID: 'I', DE: 'X', EX: 'X', WA: 'D', PA: 'R', SW: 'R', NE: 'R' };

/**
 * A comm as crash and the kernel's reports print it: a busy workqueue worker's /proc comm (ps COMM,
 * /proc/PID/comm) carries its workqueue, "kworker/2:2+events" (wq_worker_comm), the task's comm does
 * not. ("-" is not cut: 6.9+ rescuers are named "kworker/R-rcu_gp".)
 */
export function bareComm(comm: string): string {
  return comm.replace(/^(kworker\/[^+\s]{1,16})\+.*$/, '$1');
}

export function normalizeState(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const s = raw.trim();
  if (CRASH[s] !== undefined) return CRASH[s];
  const c = s.charAt(0);
  if ('DRSTZIXtW'.includes(c)) return c === 't' ? 'T' : c === 'W' ? 'D' : c;
  if (/^TASK_UNINTERRUPTIBLE/.test(s)) return 'D';
  if (/^TASK_RUNNING/.test(s)) return 'R';
  if (/^TASK_INTERRUPTIBLE/.test(s)) return 'S';
  return null;
}
