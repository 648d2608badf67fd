// netdev-unregister-wait: a network device that cannot be freed, and what queues behind it.
//
// Kernel facts (net/core/dev.c, net/core/net_namespace.c):
// - Unregistering a device ends in netdev_run_todo() (called from rtnl_unlock()), which waits in
//   netdev_wait_allrefs_any() (netdev_wait_allrefs() before v6.0) until every dev_hold()/netdev_hold()
//   reference is dropped: msleep(250) in a loop, re-sending NETDEV_UNREGISTER every second and printing
//   "unregister_netdevice: waiting for %s to become free. Usage count = %d" every 10 s. No timeout: a
//   leaked reference makes it wait forever. The waiter is not reported by the hung-task detector (it
//   wakes every 250 ms), so the line is the only detector there is.
// - With CONFIG_NET_DEV_REFCNT_TRACKER (v5.17+) the line is followed by "netdev@... has N/M users at"
//   and the stack where each reference still held was taken: that is the leak to blame.
// - When the device goes away with a network namespace, the waiter is the netns cleanup worker in
//   cleanup_net(), which holds net_mutex for the whole teardown before v4.16 and pernet_ops_rwsem for
//   reading since. Everyone creating a namespace (copy_net_ns: unshare, clone(CLONE_NEWNET), container
//   starts) waits for net_mutex; since v4.16 a module (un)registering pernet operations waits for
//   pernet_ops_rwsem for writing, and copy_net_ns's readers queue behind that writer (rwsem fairness).
//
// - The line stops once the count drops to its end: a log that goes on without it shows a release that
//   was slow, not leaked, and gets no finding.
//
// The finding: the device's references (the lock-like thing, held by a leak, not by a task: no holder
// is named), the waiter when its stack or printk caller id shows it, and the namespace tasks blocked
// behind cleanup_net, whose holder is named only when a task in cleanup_net is in the paste.

import type { ChainLink, Finding } from '../../contract.ts';
import type { NetdevWait, Report, Task, TraceModel } from '../../model/trace-model.ts';
import type { Plugin } from '../plugin.ts';
import { blameFrames, blockedTasks, taskByPid, taskFrames, taskLabel } from '../generic-helpers/index.ts';
import { baseName } from '../../classify/frames.ts';
import { heldListsByPid, holderLabel, outEdges, waitGraphOf } from '../../graph/wait-graph.ts';
import { waitersOf } from '../../graph/chain.ts';

const WAIT_FNS = new Set(['netdev_wait_allrefs_any', 'netdev_wait_allrefs', 'netdev_run_todo']);
// the tracker's own frames at the top of each stack: the caller below them took the reference
const TRACKER_FNS = /^(?:__netdev_tracker_alloc|netdev_tracker_alloc|netdev_hold|dev_hold|dev_hold_track|__dev_hold|ref_tracker_alloc)$/;
// namespace creation and pernet (un)registration: what serialises behind cleanup_net
const NETNS_CREATE = /^copy_net_ns$/;
const PERNET_REGISTER = /^(?:register_pernet_(?:subsys|device|operations)|unregister_pernet_(?:subsys|device|operations))$/;
const MUTEX_WAIT = /^(?:__mutex_lock|mutex_lock|mutex_lock_killable|__mutex_lock_killable_slowpath|__mutex_lock_slowpath|mutex_lock_nested)/;
const RWSEM_READ = /^(?:down_read|down_read_killable|rwsem_down_read_slowpath|rwsem_down_read_failed|__down_read|call_rwsem_down_read_failed)/;
const RWSEM_WRITE = /^(?:down_write|down_write_killable|rwsem_down_write_slowpath|rwsem_down_write_failed|__down_write|call_rwsem_down_write_failed)/;

interface Blocked {
  task: Task;
  primitive: 'mutex' | 'rwsem_read' | 'rwsem_write';
  lock: 'net_mutex' | 'pernet_ops_rwsem';
  via: string; // copy_net_ns / register_pernet_device ...
}

function hasFrame(frames: readonly string[], re: RegExp | Set<string>): string | null {
  for (const f of frames) {
    const b = baseName(f);
    if (re instanceof Set ? re.has(b) : re.test(b)) return b;
  }
  return null;
}

/** A task sleeping on net_mutex / pernet_ops_rwsem inside namespace creation or pernet registration. */
function blockedBehindCleanup(t: Task): Blocked | null {
  const frames = taskFrames(t);
  const via = hasFrame(frames, NETNS_CREATE) ?? hasFrame(frames, PERNET_REGISTER);
  if (!via) return null;
  // the lock call is the innermost wait frame above `via`
  const top = frames.slice(0, frames.findIndex((f) => baseName(f) === via));
  if (hasFrame(top, MUTEX_WAIT)) return { task: t, primitive: 'mutex', lock: 'net_mutex', via };
  if (hasFrame(top, RWSEM_WRITE)) return { task: t, primitive: 'rwsem_write', lock: 'pernet_ops_rwsem', via };
  if (hasFrame(top, RWSEM_READ)) return { task: t, primitive: 'rwsem_read', lock: 'pernet_ops_rwsem', via };
  return null;
}

/** The frames of the first tracker stack below the tracker's own helpers: where the reference was taken. */
function leakSite(w: NetdevWait): { frames: string[]; count: number; total: number; line: number } | null {
  for (const tr of w.trackers) {
    const frames = tr.frames.map(baseName).filter((f) => !TRACKER_FNS.test(f));
    if (frames.length > 0) return { frames, count: tr.count, total: tr.total, line: tr.line };
  }
  return null;
}

// Driver unbind: device_release_driver_internal() takes the device lock (and the parent's) and calls
// the driver's remove(), which for a network driver unregisters its netdevs and then waits in
// netdev_run_todo() with that lock still held (drivers/base/dd.c). sriov_numvfs_store(), a PCI remove
// or an unbind through sysfs all go through it.
const UNBIND_SITES = new Set(['device_release_driver_internal', '__device_release_driver']);

/**
 * The unregistering task when no stack shows it: the one task whose lockdep held-lock list shows a
 * driver unbind in progress (a lock taken at device_release_driver_internal). netdev_run_todo() holds
 * no lock of its own, so this is the only trace a held-lock list keeps of it; with two such tasks
 * nothing says which one is the device's, and none is named.
 */
function unbindingTask(model: TraceModel): { label: string; key: string | null; evidence: string; line: number } | null {
  let found: { label: string; key: string | null; evidence: string; line: number } | null = null;
  for (const list of heldListsByPid(model).values()) {
    const lock = list.locks.find((l) => l.at !== null && UNBIND_SITES.has(baseName(l.at)));
    if (!lock) continue;
    if (found) return null;
    const task = taskByPid(model, list.pid);
    found = {
      label: task ? taskLabel(task) : `${list.comm}:${list.pid}`,
      key: task?.key ?? null,
      evidence: `${list.comm}/${list.pid}'s held locks show a driver unbind in progress (${lock.name}${lock.address ? ` ${lock.address}` : ''} taken at ${lock.at}), the path that unregisters a driver's netdevs and waits for them; no other task is shown unbinding a device`,
      line: lock.line,
    };
  }
  return found;
}

/**
 * Whether the log shows the wait over: the line is printed once per period (netdev_unregister_timeout_secs,
 * 10 s by default; a sysctl since v5.8, so the period is measured from the lines' own uptime stamps)
 * for as long as the wait lasts, so a log that goes on for three periods after the last one without it
 * means the count reached its end and the unregister finished: a slow release, not a leak. Needs two
 * stamped lines (one line gives no period), a later stamp, and nothing after the last line that shows
 * the hang still on (a detector report, a blocked task); a stamp going backwards (a reboot, a paste of
 * two logs) proves nothing.
 */
function waitEnded(model: TraceModel, reports: readonly Report[]): boolean {
  const end = model.lastUptime;
  const last = reports[reports.length - 1]!;
  if (!end || end.line <= last.line || last.uptime === undefined) return false;
  let period = Infinity;
  for (let k = 1; k < reports.length; k++) {
    const a = reports[k - 1]!.uptime;
    const b = reports[k]!.uptime;
    if (a !== undefined && b !== undefined && b - a >= 1) period = Math.min(period, b - a);
  }
  if (!Number.isFinite(period) || end.seconds - last.uptime < 3 * period) return false;
  // pastes are often cut: a detector report or a blocked stack after the last line means the rest of the
  // hang is in the paste and the lines were left out, not that they stopped
  if (model.reports.some((r) => r.line > last.line && r.kind !== 'netdev_unregister')) return false;
  return !blockedTasks(model).some((t) => t.lines.some((l) => l > last.line));
}

function finding(model: TraceModel, reports: Report[]): Finding {
  const r = reports[reports.length - 1]!; // the latest count
  const w = r.details.netdev as NetdevWait;
  const tracked = reports.find((x) => (x.details.netdev as NetdevWait).trackers.length > 0);
  const site = tracked ? leakSite(tracked.details.netdev as NetdevWait) : null;
  // the waiter: a stack in netdev_wait_allrefs(_any)/netdev_run_todo, else the printk caller of the line
  const waiter = model.tasks.find((t) => hasFrame(taskFrames(t), WAIT_FNS) !== null)
    ?? (r.pid !== null ? taskByPid(model, r.pid) : undefined);
  const unbinder = waiter ? null : unbindingTask(model);
  const waiterLabel = waiter ? taskLabel(waiter) : r.pid !== null ? `pid ${r.pid}` : unbinder ? unbinder.label : `unregister of ${w.device}`;
  const cleanup = model.tasks.find((t) => hasFrame(taskFrames(t), /^cleanup_net$/) !== null);
  const blocked = blockedTasks(model).map(blockedBehindCleanup).filter((b): b is Blocked => b !== null && b.task !== cleanup);

  // who waits for whom: readers queue behind a waiting writer (rwsem fairness), the writer waits for
  // cleanup_net's read hold, cleanup_net for the references
  const order = { rwsem_read: 0, mutex: 1, rwsem_write: 2 } as const;
  blocked.sort((a, b) => order[a.primitive] - order[b.primitive]);
  const writer = blocked.find((b) => b.primitive === 'rwsem_write');
  const g = waitGraphOf(model);
  const chain: ChainLink[] = [];
  // the tasks blocked on a lock the unregistering task holds (an unbind or sriov_numvfs store that
  // unregisters the device under the device lock), from the wait-for graph
  const behindWaiter = waiter ? waitersOf(g, waiter.key, 6) : unbinder ? waitersOf(g, unbinder.key ?? unbinder.label, 6, unbinder.label) : [];
  chain.push(...behindWaiter.filter((l) => !blocked.some((b) => taskLabel(b.task) === l.task)));
  for (const b of blocked.slice(0, 8)) {
    // no cleanup_net stack in the paste: another source (a lockdep held-lock list) may name the holder
    const known = cleanup ? null : outEdges(g, b.task.key).find((e) => (e.to !== null || e.toLabel !== null) && !e.queued);
    const role = b.primitive === 'rwsem_write' ? 'for writing' : b.primitive === 'rwsem_read' ? 'for reading' : '';
    const queued = b.primitive === 'rwsem_read' && writer ? `, queued behind the waiting writer ${taskLabel(writer.task)}` : '';
    chain.push({
      task: taskLabel(b.task),
      waitsOn: `${b.lock}${role ? ` ${role}` : ''} (in ${b.via}${queued})`,
      primitive: b.primitive,
      lock: b.lock,
      heldBy: cleanup ? taskLabel(cleanup) : known ? holderLabel(g, known) : null,
      evidence: cleanup
        ? `cleanup_net (${taskLabel(cleanup)}) holds ${b.lock} while the device's references are awaited`
        : known ? known.evidence
        : `cleanup_net holds ${b.lock} during a namespace teardown; its task is not in the paste, so no holder is named`,
      lines: b.task.lines.slice(0, 2),
    });
  }
  const usage = w.usage !== null ? `${w.usage} reference${w.usage === 1 ? '' : 's'}` : 'references';
  const last = w.usage === 1 ? 'its last reference' : w.usage !== null ? `its last ${w.usage} references` : 'its last references';
  const evidence = site
    ? `ref_tracker: ${site.count}/${site.total} of the tracked references still held were taken in ${site.frames.slice(0, 3).join(' ← ')}`
    : `"unregister_netdevice: waiting for ${w.device} to become free. Usage count = ${w.usage ?? '?'}" (${reports.length}×); no reference tracker output says who took them`;
  const lines = [...new Set([reports[0]!.line, r.line, ...(site ? [site.line] : []), ...(unbinder ? [unbinder.line] : [])])];
  chain.push({
    task: cleanup && (!waiter || waiter === cleanup) ? taskLabel(cleanup) : waiterLabel,
    waitsOn: `${last} to netdev ${w.device} to be dropped (never: a reference leak)`,
    primitive: 'refcount',
    lock: null,
    heldBy: null,
    evidence: unbinder ? `${evidence}; the unregistering task is inferred: ${unbinder.evidence}` : evidence,
    lines,
  });

  // where it is stuck: the leak site when the tracker printed it, else the waiter's wait function and
  // what called it (rtnl_unlock's caller: the unregister path)
  const waiterFrames = waiter ? taskFrames(waiter).map(baseName) : [];
  const at = waiterFrames.findIndex((f) => WAIT_FNS.has(f));
  const waitKey = at >= 0 ? [waiterFrames[at]!, ...blameFrames(waiterFrames.slice(at + 1).filter((f) => f !== 'rtnl_unlock' && !WAIT_FNS.has(f)), 1)] : [];
  const keyFrames = site ? site.frames.slice(0, 2) : waitKey.length > 0 ? waitKey : ['netdev_run_todo'];
  const behind = blocked.length > 0
    ? `; ${blocked.length === 1 ? '1 task' : `${blocked.length} tasks`} in ${[...new Set(blocked.map((b) => b.via))].join(', ')} ${blocked.length === 1 ? 'waits' : 'wait'} behind cleanup_net`
    : '';
  const headline = `netdev ${w.device} cannot be freed: ${usage} still held${site ? ` (taken in ${site.frames[0]})` : ', holder unknown'}; its unregister waits forever${behind}`;
  return {
    pattern: 'netdev-unregister-wait',
    caseId: null,
    confidence: site || blocked.length > 0 ? 0.7 : 0.6,
    headline,
    blockingChain: chain,
    cycle: false,
    suspectLock: {
      primitive: 'refcount',
      address: null,
      name: `${w.device} (net_device references)`,
      holder: null,
      evidence,
      lines,
    },
    keyFrames,
    checklist: [
      `Something still holds a reference to ${w.device}: a dev_hold()/netdev_hold() without its put. Common holders are dst and neighbour entries, IPv6 addresses and routes, sockets bound to the device, and tunnel or bridge code that forgot its put on an error path.`,
      site
        ? `The reference tracker names where the leaked reference was taken (${site.frames.slice(0, 2).join(' ← ')}): look for the matching put on every path of that code, and for a stable fix of it.`
        : 'Boot a debug kernel with CONFIG_NET_DEV_REFCNT_TRACKER (v5.17+): the next occurrence prints the stack that took each reference still held.',
      'Until the count drops, the namespace cleanup holds net_mutex (before v4.16) or pernet_ops_rwsem (since): unshare/clone(CLONE_NEWNET), container starts and module loads that register pernet operations hang behind it.',
      'A true leak never resolves: the device, its namespace and everything waiting stay stuck until a reboot. Drain the node before rebooting it.',
    ],
    nextSteps: [
      'crash> net',
      'crash> foreach UN bt',
      ...(waiter?.pid !== null && waiter?.pid !== undefined ? [`crash> bt ${waiter.pid}`] : []),
      `crash> struct net_device.name,reg_state <address of ${w.device} from 'net'>`,
    ],
    references: [],
  };
}

export const netdevUnregisterWait: Plugin = {
  id: 'netdev-unregister-wait',
  title: 'A network device that cannot be freed (leaked references), and the namespace work queued behind it',
  families: '*',
  run(model) {
    // one finding per device; the line repeats every 10 s
    const byDevice = new Map<string, Report[]>();
    for (const r of model.reports) {
      if (r.kind !== 'netdev_unregister' || !r.details.netdev) continue;
      const dev = (r.details.netdev as NetdevWait).device;
      const list = byDevice.get(dev);
      if (list) list.push(r);
      else if (byDevice.size < 4) byDevice.set(dev, [r]);
    }
    return [...byDevice.values()].filter((rs) => !waitEnded(model, rs)).map((rs) => finding(model, rs));
  },
};

export default netdevUnregisterWait;
