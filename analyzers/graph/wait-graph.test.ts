import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StackSegment, Task, TraceModel } from '../model/trace-model.ts';
import { buildWaitGraph } from './wait-graph.ts';
import { walkChain, longestChain } from './chain.ts';
import { ownerTask, taskAt } from './resolve.ts';

function model(parts: Partial<TraceModel>): TraceModel {
  return { formats: [], reports: [], tasks: [], structs: [], waiterLists: [], bindings: [], invalidAddresses: [], psRows: [], sys: null, release: null, lineCount: 100, notes: [], ...parts };
}

function seg(fns: string[], context: StackSegment['context'] = 'process', line = 10): StackSegment {
  return { context, exception: null, frames: fns.map((fn, i) => ({ fn, offset: 0, size: null, address: null, module: null, unreliable: false, context, line: line + i })) };
}

function task(pid: number, comm: string, addr: string | null, fns: string[], state: string | null = 'D'): Task {
  return { key: `pid:${pid}`, pid, comm, task: addr, cpu: null, state, stack: fns.length ? [seg(fns)] : [], sources: ['crash-bt'], lines: [pid % 90 + 1], kthread: false };
}

test('owner words lose their flag bits (mutex low 3 bits, rwsem reader bit) and decimal counters decode', () => {
  assert.equal(ownerTask('0xffff8a0c5b2e9e81'), 'ffff8a0c5b2e9e80');
  assert.equal(ownerTask('ffff8a0c5b2e9e87'), 'ffff8a0c5b2e9e80');
  assert.equal(ownerTask('-110800290349055'), 'ffff9b3a4c0d8000');
  assert.equal(ownerTask('0'), null);
});

test('a task address resolves through a `p $1.pid` binding when no bt header names it', () => {
  const m = model({ tasks: [task(12862, 'java', null, ['schedule', 'rwsem_down_write_failed'])], bindings: [{ task: 'ffff8b93cdcf8000', pid: 12862, line: 40 }] });
  assert.equal(taskAt(m, '0xffff8b93cdcf8000')?.pid, 12862);
  assert.equal(taskAt(m, 'ffff000000000000'), null);
});

test('struct mutex whose owner is another task: an edge waiter → owner, no self loop', () => {
  const m = model({
    tasks: [task(1, 'a', 'ffff880000001000', ['schedule', '__mutex_lock_slowpath', 'foo']), task(2, 'b', 'ffff880000002000', ['schedule', 'msleep', 'bar'])],
    structs: [
      { type: 'mutex', address: 'ffff880000009000', fields: { owner: 'ffff880000002001', 'wait_list.next': 'ffffc90000000100' }, line: 20, endLine: 30 },
      { type: 'mutex_waiter', address: 'ffffc90000000100', fields: { task: 'ffff880000001000' }, line: 31, endLine: 35 },
    ],
  });
  const g = buildWaitGraph(m);
  const e = g.edges.find((x) => x.from === 'pid:1')!;
  assert.equal(e.to, 'pid:2');
  assert.equal(e.lock, 'ffff880000009000');
  assert.deepEqual(e.lines.includes(20) && e.lines.includes(31), true);
  const w = walkChain(g, 'pid:1');
  assert.equal(w.cycle, false);
  assert.equal(w.links[0]!.heldBy, 'b:2');
});

test('readers queued behind a writer wait for the writer; the chain closes through the page-fault holder', () => {
  const m = model({
    tasks: [
      task(10, 'writer', 'ffff880000000a00', ['schedule', 'rwsem_down_write_failed', 'down_write', 'do_mprotect_pkey']),
      task(11, 'reader', 'ffff880000000b00', ['schedule', 'rwsem_down_read_failed', 'down_read', 'get_user_pages']),
      task(12, 'holder', 'ffff880000000c00', ['__schedule', 'schedule', 'wait_for_reply', 'my_fault', 'handle_mm_fault', '__do_page_fault']),
    ],
    waiterLists: [{ head: 'ffff880000007000', structType: 'rwsem_waiter', line: 50, entries: [
      { node: 'ffffc90000001000', task: 'ffff880000000a00', type: 'RWSEM_WAITING_FOR_WRITE', line: 51 },
      { node: 'ffffc90000002000', task: 'ffff880000000b00', type: 'RWSEM_WAITING_FOR_READ', line: 53 },
    ] }],
  });
  const g = buildWaitGraph(m);
  assert.equal(g.edges.find((e) => e.from === 'pid:11')!.to, 'pid:10');
  assert.equal(g.edges.find((e) => e.from === 'pid:10')!.to, 'pid:12');
  const c = walkChain(g, 'pid:11');
  // the writer holds nothing: the reader's link names it in waitsOn and the read-side holder as holder, and the walk goes on through the writer
  assert.deepEqual(c.links.map((l) => l.heldBy), ['holder:12', 'holder:12']);
  assert.match(c.links[0]!.waitsOn, /queued behind writer writer:10/);
  assert.equal(c.links[1]!.task, 'writer:10');
});

test('a walk that returns to a node reports the minimal cycle and where it starts', () => {
  const m = model({ tasks: [task(1, 'a', null, []), task(2, 'b', null, []), task(3, 'c', null, [])] });
  const g = buildWaitGraph(m);
  const mk = (from: string, to: string) => ({ from, to, toLabel: null, primitive: 'mutex', lock: `l${from}`, waitsOn: 'm', evidence: 'e', lines: [1], source: 'struct' as const });
  g.edges.push(mk('pid:1', 'pid:2'), mk('pid:2', 'pid:3'), mk('pid:3', 'pid:2'));
  const w = walkChain(g, 'pid:1');
  assert.equal(w.cycle, true);
  assert.equal(w.cycleStart, 1);
  assert.deepEqual(w.links.map((l) => l.task), ['a:1', 'b:2', 'c:3']);
  assert.equal(longestChain(g)!.links[0]!.task, 'a:1');
});

test('unknown holder stays null: a spinning CPU with RDI but nobody known to hold the lock', () => {
  const t = task(5, 'fio', null, ['_raw_spin_lock_irq', 'bfq_dispatch_request'], null);
  t.cpu = 2;
  t.stack[0]!.exception = { fn: 'native_queued_spin_lock_slowpath', offset: 32, address: null, module: null, registers: { RDI: 'ffff92adc0fc6400', RFLAGS: '00000002' }, context: 'process', line: 9, lines: [9, 10] };
  const g = buildWaitGraph(model({ tasks: [t] }));
  const e = g.edges.find((x) => x.from === 'pid:5')!;
  assert.equal(e.lock, 'ffff92adc0fc6400');
  assert.equal(e.to, null);
  assert.equal(walkChain(g, 'pid:5').links[0]!.heldBy, null);
});

test('a flush waits on the blocked worker, never on a running one', () => {
  const flusher = task(100, 'rmmod', null, ['flush_workqueue', 'flush_scheduled_work', 'cleanup_module']);
  const running = task(200, 'kworker/1:2', null, ['my_work', 'process_one_work', 'worker_thread'], 'R');
  assert.equal(buildWaitGraph(model({ tasks: [flusher, running] })).edges.find((e) => e.from === 'pid:100')!.to, null);
  const blocked = task(201, 'kworker/1:3', null, ['my_work', 'process_one_work', 'worker_thread'], 'D');
  assert.equal(buildWaitGraph(model({ tasks: [flusher, running, blocked] })).edges.find((e) => e.from === 'pid:100')!.to, 'pid:201');
});

test('a task interrupted in the mutex slow path with RDI = the dumped mutex waits on it (self-loop when it owns it)', () => {
  const t = task(7, 'ksmbd', 'ffff880000007000', ['__mutex_lock', 'ksmbd_conn_lock', 'ksmbd_handle'], 'D');
  t.stack[0]!.exception = { fn: 'mutex_spin_on_owner', offset: 60, address: null, module: null, registers: { RDI: 'ffff880000009900' }, context: 'process', line: 3, lines: [3, 4] };
  const m = model({ tasks: [t], structs: [{ type: 'mutex', address: 'ffff880000009900', fields: { 'owner.counter': 'ffff880000007000' }, line: 20, endLine: 25 }] });
  const e = buildWaitGraph(m).edges.find((x) => x.from === 'pid:7' && x.lock === 'ffff880000009900')!;
  assert.equal(e.to, 'pid:7');
  assert.equal(e.source, 'struct');
});

test('`list mutex_waiter` output (head = wait_list.next) supplies the mutex waiters', () => {
  const m = model({
    tasks: [task(1, 'a', 'ffff880000001000', ['schedule', '__mutex_lock']), task(2, 'b', 'ffff880000002000', ['schedule', '__mutex_lock'])],
    structs: [{ type: 'mutex', address: 'ffff880000009000', fields: { 'owner.counter': 'ffff880000001001', 'wait_list.next': 'ffffc90000000100' }, line: 20, endLine: 30 }],
    waiterLists: [{ head: 'ffffc90000000100', structType: 'mutex_waiter', line: 40, entries: [
      { node: 'ffffc90000000100', task: 'ffff880000001000', type: null, line: 41 },
      { node: 'ffffc90000000200', task: 'ffff880000002000', type: null, line: 43 },
    ] }],
  });
  const g = buildWaitGraph(m);
  assert.deepEqual(g.edges.filter((e) => e.lock === 'ffff880000009000').map((e) => [e.from, e.to]), [['pid:1', 'pid:1'], ['pid:2', 'pid:1']]);
});

test('with several blocked workers, a flush waits on the one running its own driver\'s code', () => {
  const flusher = task(100, 'ip', null, ['__flush_work', 'cancel_work_sync', 'mlx5e_close_locked', 'mlx5e_close']);
  const other = task(200, 'kworker/0:1', null, ['nfs_commit_done', 'process_one_work', 'worker_thread'], 'D');
  const own = task(201, 'kworker/3:1', null, ['rtnl_lock', 'mlx5e_tx_timeout_work', 'process_one_work', 'worker_thread'], 'D');
  assert.equal(buildWaitGraph(model({ tasks: [flusher, other, own] })).edges.find((e) => e.from === 'pid:100')!.to, 'pid:201');
});

test('a mutex wait_list address on a task\'s own stack (its "#N [sp]" range) names that waiter; an empty list names none', () => {
  const a = { ...task(41, 'agetty', 'ffff880000004100', ['schedule', '__mutex_lock', 'tty_lock', 'tty_open']), spRange: { low: 'ffffc90000a13b90', high: 'ffffc90000a13f50' } };
  const b = { ...task(42, 'systemd-logind', 'ffff880000004200', ['schedule', '__mutex_lock', 'tty_lock', 'vt_ioctl']), spRange: { low: 'ffffc90000b27b88', high: 'ffffc90000b27f50' } };
  const owner = { ...task(43, 'Xorg', 'ffff880000004300', ['schedule_timeout', 'drm_wait_vblank', 'vt_console_switch']), spRange: { low: 'ffffc90000c31c00', high: 'ffffc90000c31f50' } };
  const mutex = (next: string, prev: string) => ({ type: 'mutex', address: 'ffff88800a1b2c00', fields: { 'owner.counter': 'ffff880000004301', 'wait_list.next': next, 'wait_list.prev': prev }, line: 60, endLine: 70 });
  const g = buildWaitGraph(model({ tasks: [a, b, owner], structs: [mutex('ffffc90000a13c98', 'ffffc90000b27c90')] }));
  assert.deepEqual(g.edges.filter((e) => e.lock === 'ffff88800a1b2c00').map((e) => [e.from, e.to, e.source]), [['pid:41', 'pid:43', 'struct'], ['pid:42', 'pid:43', 'struct']]);
  // an empty wait_list points at &lock->wait_list, inside the mutex, on no task's stack
  const empty = buildWaitGraph(model({ tasks: [a, b, owner], structs: [mutex('ffff88800a1b2c18', 'ffff88800a1b2c18')] }));
  assert.deepEqual(empty.edges.filter((e) => e.lock === 'ffff88800a1b2c00'), []);
  // one address outside every stack range (a waiter not in the paste): only the other one is named
  const one = buildWaitGraph(model({ tasks: [a, b, owner], structs: [mutex('ffffc90000a13c98', 'ffffc90000d00c90')] }));
  assert.deepEqual(one.edges.filter((e) => e.lock === 'ffff88800a1b2c00').map((e) => e.from), ['pid:41']);
});

test('held-lock lists: a task waits for its last listed lock only where its stack sleeps in that lock call; other tasks listing it hold it', () => {
  const lock = (address: string, name: string, at: string, atOffset: number, task: string, line: number) => ({ name, address, usage: '{+.+.}', at, atOffset, task, line });
  const waiter = task(3301, 'nvmectl', null, ['__schedule', 'schedule', '__mutex_lock', 'nvmx_admin_cmd', 'nvmx_ioctl']);
  waiter.stack[0]!.frames[3]!.offset = 0x31;
  const second = task(3302, 'smartd', null, ['__schedule', 'schedule', '__mutex_lock', 'nvmx_admin_cmd', 'nvmx_ioctl']);
  second.stack[0]!.frames[3]!.offset = 0x31;
  const holder = task(188, 'kworker/3:2', null, ['__schedule', 'schedule_timeout', 'wait_for_completion', 'nvmx_fw_wait', 'nvmx_reset_work', 'process_one_work']);
  const heldLocks = [
    { comm: 'nvmectl', pid: 3301, line: 50, locks: [lock('ffff8e7c60a1b048', '&ctrl->admin_lock', 'nvmx_admin_cmd', 0x31, 'nvmectl/3301', 51)] },
    { comm: 'smartd', pid: 3302, line: 52, locks: [lock('ffff8e7c60a1b048', '&ctrl->admin_lock', 'nvmx_admin_cmd', 0x31, 'smartd/3302', 53)] },
    { comm: 'kworker/3:2', pid: 188, line: 54, locks: [lock('ffff8e7c60a1b048', '&ctrl->admin_lock', 'nvmx_reset_work', 0x52, 'kworker/3:2/188', 55)] },
  ];
  const g = buildWaitGraph(model({ tasks: [waiter, second, holder], heldLocks }));
  // both waiters list the lock at the call their stack sleeps in: they wait; the worker is past it and holds it
  assert.deepEqual(g.edges.filter((e) => e.lock === 'ffff8e7c60a1b048').map((e) => [e.from, e.to, e.source]), [['pid:3301', 'pid:188', 'lockdep'], ['pid:3302', 'pid:188', 'lockdep']]);
  // the lock call elsewhere (another offset in the same function): not known to be the lock it waits for
  const other = { ...waiter, key: 'pid:3301', stack: [{ ...waiter.stack[0]!, frames: waiter.stack[0]!.frames.map((f) => (f.fn === 'nvmx_admin_cmd' ? { ...f, offset: 0x88 } : f)) }] };
  assert.deepEqual(buildWaitGraph(model({ tasks: [other, holder], heldLocks: [heldLocks[0]!, heldLocks[2]!] })).edges.filter((e) => e.source === 'lockdep'), []);
  // no other task lists it: nothing to name
  assert.deepEqual(buildWaitGraph(model({ tasks: [waiter], heldLocks: [heldLocks[0]!] })).edges.filter((e) => e.source === 'lockdep'), []);
});

test('CPU hotplug: the task kicking a CPU\'s hotplug thread waits for cpuhp/N; without exactly one such thread, no edge', () => {
  const down = task(4410, 'bash', null, ['__schedule', 'schedule', 'schedule_timeout', 'wait_for_completion', 'cpuhp_kick_ap_work', '_cpu_down', 'cpu_device_down']);
  const thread = task(27, 'cpuhp/3', null, ['__schedule', 'schedule', 'wait_for_completion', '__flush_work', 'sched_cpu_deactivate', 'cpuhp_invoke_callback', 'cpuhp_thread_fun', 'smpboot_thread_fn']);
  const e = buildWaitGraph(model({ tasks: [down, thread] })).edges.find((x) => x.from === 'pid:4410')!;
  assert.deepEqual([e.to, e.primitive, e.source], ['pid:27', 'completion', 'inferred']);
  const other = task(31, 'cpuhp/4', null, ['__schedule', 'schedule', 'smpboot_thread_fn', 'cpuhp_thread_fun']);
  assert.equal(buildWaitGraph(model({ tasks: [down, thread, other] })).edges.find((x) => x.from === 'pid:4410')?.to ?? null, null, 'two hotplug threads: which one is not known');
});

test('PREEMPT_RT: an rt_mutex_base dump names its owner (RT_MUTEX_HAS_WAITERS bit masked) and the waiter whose stack holds the rbtree node', () => {
  const waiter = { ...task(2204, 'canbridged', 'ffff8e4a1c6d2a00', ['__schedule', 'schedule_rtlock', 'rtlock_slowlock_locked', 'rt_spin_lock', 'canfd_ctl_start_xmit']), spRange: { low: 'ffffa9c2c3e1fb58', high: 'ffffa9c2c3e1ff50' } };
  const owner = task(911, 'irq/142-can0', 'ffff8e4a09c3a000', ['canfd_ctl_poll', 'irq_thread_fn', 'irq_thread'], 'R');
  const m = model({ tasks: [waiter, owner], structs: [{ type: 'rt_mutex_base', address: 'ffff8e4a0b2c1e08', fields: { owner: 'ffff8e4a09c3a001', 'waiters.rb_root.rb_node': 'ffffa9c2c3e1fc08', 'waiters.rb_leftmost': 'ffffa9c2c3e1fc08' }, line: 32, endLine: 60 }] });
  const e = buildWaitGraph(m).edges.find((x) => x.lock === 'ffff8e4a0b2c1e08')!;
  assert.deepEqual([e.from, e.to, e.primitive, e.source], ['pid:2204', 'pid:911', 'rt_mutex', 'struct']);
});

test('kernfs_drain waits for the one task inside a kernfs operation; none or several: no edge', () => {
  const remover = task(5120, 'bash', null, ['__schedule', 'schedule', 'kernfs_drain', '__kernfs_remove', 'kernfs_remove', 'device_del', 'pci_iov_remove_virtfn', 'sriov_numvfs_store', 'kernfs_fop_write_iter']);
  const writer = task(5233, 'tuned', null, ['__schedule', 'schedule', '__mutex_lock', 'device_lock', 'sriov_vf_msix_count_store', 'kernfs_fop_write_iter', 'vfs_write']);
  const e = buildWaitGraph(model({ tasks: [remover, writer] })).edges.find((x) => x.from === 'pid:5120')!;
  assert.deepEqual([e.to, e.primitive, e.source], ['pid:5233', 'kernfs_active', 'inferred']);
  const reader = task(5301, 'cat', null, ['__schedule', 'schedule', 'msleep', 'foo_attr_show', 'sysfs_kf_seq_show', 'kernfs_seq_show', 'seq_read_iter']);
  assert.equal(buildWaitGraph(model({ tasks: [remover, writer, reader] })).edges.some((x) => x.primitive === 'kernfs_active'), false, 'two tasks inside kernfs operations: which one is not known');
  assert.equal(buildWaitGraph(model({ tasks: [remover] })).edges.some((x) => x.primitive === 'kernfs_active'), false);
});

test('device lock: a USB reset work waiting in usb_lock_device_for_reset waits for the one task inside a probe (driver core holds dev->mutex there); the probe flushing that work closes the cycle', () => {
  const probe = task(3001, 'modprobe', null, ['__schedule', 'schedule', 'schedule_timeout', 'wait_for_completion', '__flush_work', 'flush_work', 'xhid_probe', 'usb_probe_interface', 'really_probe', '__driver_probe_device', 'driver_probe_device', '__driver_attach', 'bus_for_each_dev', 'driver_attach']);
  const worker = task(77, 'kworker/1:3', null, ['__schedule', 'schedule', 'schedule_preempt_disabled', '__mutex_lock.constprop.0', 'mutex_lock', 'usb_lock_device_for_reset', 'xhid_reset_work', 'process_one_work', 'worker_thread', 'kthread']);
  const g = buildWaitGraph(model({ tasks: [probe, worker] }));
  const e = g.edges.find((x) => x.from === 'pid:77' && x.lock === 'device_lock');
  assert.ok(e, 'the reset work waits on the device lock');
  assert.equal(e.to, 'pid:3001');
  assert.equal(e.source, 'inferred');
  assert.match(e.evidence, /inside __driver_probe_device, which runs with the device lock held/);
  const c = walkChain(g, 'pid:3001');
  assert.equal(c.cycle, true);
  assert.deepEqual(c.links.map((l) => l.heldBy), ['kworker/1:3:77', 'modprobe:3001']);
  // two tasks inside device-lock sections: which one holds this device's lock is not known
  const other = task(3002, 'udevadm', null, ['__schedule', 'schedule', 'msleep', 'yyy_shutdown', 'device_shutdown', 'kernel_restart']);
  const g2 = buildWaitGraph(model({ tasks: [probe, worker, other] }));
  assert.equal(g2.edges.find((x) => x.from === 'pid:77' && x.lock === 'device_lock'), undefined);
});

test('held-lock lists: a blocked task whose own list lacks the lock waits for the only lock in the lists taken where it sleeps (same function and offset); two such locks name nobody', () => {
  const waiter = task(500, 'pulseaudio', null, ['__schedule', 'schedule', 'schedule_preempt_disabled', '__mutex_lock', 'mutex_lock_nested', 'snd_card_file_add', 'snd_ctl_open']);
  waiter.stack[0]!.frames[5]!.offset = 0x2c;
  const holder = task(600, 'alsactl', null, ['__schedule', 'schedule', 'msleep', 'xsnd_fw_wait', 'xsnd_resume']);
  const lock = (pid: number, comm: string, address: string, at: string, atOffset: number) => ({ comm, pid, line: pid, locks: [{ name: '&card->files_lock', address, usage: '{+.+.}', at, atOffset, task: `${comm}/${pid}`, line: pid + 1 }] });
  const g = buildWaitGraph(model({ tasks: [waiter, holder], heldLocks: [lock(600, 'alsactl', 'ffff888104a2c0a8', 'snd_card_file_add', 0x2c)] }));
  const e = g.edges.find((x) => x.from === 'pid:500' && x.source === 'inferred');
  assert.equal(e?.to, 'pid:600');
  assert.equal(e?.lock, 'ffff888104a2c0a8');
  assert.match(e!.evidence, /the only lock held in the lockdep lists that was taken there/);
  // taken at another offset of the function: another call, not this lock
  const g2 = buildWaitGraph(model({ tasks: [waiter, holder], heldLocks: [lock(600, 'alsactl', 'ffff888104a2c0a8', 'snd_card_file_add', 0x90)] }));
  assert.equal(g2.edges.find((x) => x.from === 'pid:500' && x.source === 'inferred'), undefined);
  // two cards' locks held at that site: which one it waits for is not known
  const other = task(700, 'speaker-test', null, ['__schedule', 'schedule', 'usleep_range', 'ysnd_pcm_drain']);
  const g3 = buildWaitGraph(model({ tasks: [waiter, holder, other], heldLocks: [lock(600, 'alsactl', 'ffff888104a2c0a8', 'snd_card_file_add', 0x2c), lock(700, 'speaker-test', 'ffff888104b3c0a8', 'snd_card_file_add', 0x2c)] }));
  assert.equal(g3.edges.find((x) => x.from === 'pid:500' && x.source === 'inferred'), undefined);
});

test('RTNL: a mutex wait right under rtnetlink_rcv_msg (rtnl_lock tail-called away) waits for the task inside a doit handler, and is itself no RTNL holder', () => {
  const waiter = task(1021, 'NetworkManager', null, ['__schedule', 'schedule', 'schedule_preempt_disabled', '__mutex_lock.constprop.0', 'rtnetlink_rcv_msg', 'netlink_rcv_skb', 'netlink_unicast']);
  const link = task(51020, 'kworker/7:0', null, ['__schedule', 'schedule', 'schedule_preempt_disabled', '__mutex_lock.constprop.0', 'linkwatch_event', 'process_one_work']);
  const holder = task(48211, 'ip', null, ['__schedule', 'schedule', 'synchronize_rcu_expedited', 'unregister_netdevice_many_notify', 'rtnl_delete_link', 'rtnl_dellink', 'rtnetlink_rcv_msg', 'netlink_rcv_skb']);
  const g = buildWaitGraph(model({ tasks: [waiter, link, holder] }));
  for (const from of ['pid:1021', 'pid:51020']) {
    const e = g.edges.find((x) => x.from === from)!;
    assert.deepEqual([e.lock, e.to], ['rtnl_mutex', 'pid:48211'], from);
  }
  // with the doit handler gone, NetworkManager (a waiter) is not taken for the holder
  const g2 = buildWaitGraph(model({ tasks: [waiter, link] }));
  assert.equal(g2.edges.find((x) => x.from === 'pid:51020')!.to, null);
});

test('SRCU notifier chain: srcu_notifier_chain_unregister waits for the one task inside srcu_notifier_call_chain; two readers name nobody', () => {
  const unreg = task(3410, 'rmmod', null, ['__schedule', 'schedule', 'schedule_timeout', 'wait_for_completion', '__synchronize_srcu', 'synchronize_srcu', 'srcu_notifier_chain_unregister', 'xpm_exit']);
  const reader = task(233, 'sugov:4', null, ['__schedule', 'schedule', 'schedule_timeout', 'wait_for_completion_timeout', 'xmcu_xfer', 'xpm_notify', 'srcu_notifier_call_chain', 'cpufreq_freq_transition_begin']);
  const g = buildWaitGraph(model({ tasks: [unreg, reader] }));
  const e = g.edges.find((x) => x.from === 'pid:3410' && x.primitive === 'srcu');
  assert.equal(e?.to, 'pid:233');
  assert.equal(e?.source, 'inferred');
  const other = task(240, 'sugov:5', null, ['__schedule', 'schedule', 'msleep', 'ypm_notify', 'srcu_notifier_call_chain']);
  assert.equal(buildWaitGraph(model({ tasks: [unreg, reader, other] })).edges.find((x) => x.from === 'pid:3410' && x.primitive === 'srcu'), undefined);
});

test('jbd2: the commit (waiting inline for t_updates) waits for the one task inside a handle; new handles and fsync wait through the commit for that holder; two handle holders, or a commit waiting on I/O, name nobody', () => {
  const commit = task(811, 'jbd2/sda2-8', null, ['__schedule', 'schedule', 'jbd2_journal_commit_transaction', 'kjournald2', 'kthread']);
  const holder = task(5120, 'mysqld', null, ['__schedule', 'schedule', 'schedule_preempt_disabled', '__mutex_lock', 'ext4_setattr', 'notify_change', 'do_truncate']);
  const newHandle = task(6001, 'nginx', null, ['__schedule', 'schedule', 'wait_transaction_locked', 'add_transaction_credits', 'start_this_handle', 'jbd2__journal_start', '__ext4_journal_start_sb', 'ext4_dirty_inode']);
  const fsync = task(6002, 'postgres', null, ['__schedule', 'schedule', 'jbd2_log_wait_commit', 'ext4_sync_file', 'do_fsync']);
  const g = buildWaitGraph(model({ tasks: [commit, holder, newHandle, fsync] }));
  const c = g.edges.find((x) => x.from === 'pid:811' && x.primitive === 'journal');
  assert.equal(c?.to, 'pid:5120');
  assert.match(c!.evidence, /inside ext4_setattr, which runs with a handle open/);
  const w = walkChain(g, 'pid:6001');
  assert.deepEqual(w.links.map((l) => [l.task, l.heldBy]).slice(0, 2), [['nginx:6001', 'mysqld:5120'], ['jbd2/sda2-8:811', 'mysqld:5120']]);
  assert.equal(g.edges.find((x) => x.from === 'pid:6002' && x.primitive === 'journal')?.to, 'pid:811');
  // a second task inside a handle: which one the commit waits for is not known, and the waiters name no holder
  const other = task(5121, 'rsync', null, ['__schedule', 'schedule', 'io_schedule', 'wait_on_page_writeback', 'ext4_write_begin', 'generic_perform_write']);
  const g2 = buildWaitGraph(model({ tasks: [commit, holder, other, newHandle] }));
  assert.equal(g2.edges.find((x) => x.from === 'pid:811' && x.source === 'inferred'), undefined);
  assert.equal(walkChain(g2, 'pid:6001').links[0]!.heldBy, null);
  // a commit sleeping on its own I/O is not waiting for handles
  const ioCommit = task(812, 'jbd2/sdb1-8', null, ['__schedule', 'schedule', 'io_schedule', 'bit_wait_io', '__wait_on_bit', 'out_of_line_wait_on_bit', 'jbd2_journal_commit_transaction', 'kjournald2']);
  assert.equal(buildWaitGraph(model({ tasks: [ioCommit, holder] })).edges.find((x) => x.from === 'pid:812' && x.source === 'inferred'), undefined);
});

test('an rw_semaphore dump without a waiter list: wait_list.next/prev on the waiters\' stacks name them, the owner word the holder; a reader behind a writer at the head waits for it; a stale reader hint names nobody', async () => {
  const { parse } = await import('../parse/parse.ts');
  // an mm's mmap_lock on 6.1: ps and top read /proc/PID/cmdline (down_read_killable), gitlab-runner holds it for write
  const paste = (count: string, owner: string, firstWaiter: string): string => `crash> foreach UN bt
PID: 3300     TASK: ffff9a1c4e5b0000  CPU: 1    COMMAND: "gitlab-runner"
 #0 [ffffb1c2c5e5bb28] __schedule at ffffffff8f9c1d8b
 #1 [ffffb1c2c5e5bbb0] schedule at ffffffff8f9c2206
 #2 [ffffb1c2c5e5bbc8] io_schedule at ffffffff8f9c26a2
 #3 [ffffb1c2c5e5bbe0] folio_wait_bit_common at ffffffff8f0f1b2d
 #4 [ffffb1c2c5e5bc70] migrate_pages at ffffffff8f1a4e11
 #5 [ffffb1c2c5e5bd28] do_mbind at ffffffff8f18f5a3
 #6 [ffffb1c2c5e5be78] __x64_sys_mbind at ffffffff8f18fb2e
 #7 [ffffb1c2c5e5bf50] entry_SYSCALL_64_after_hwframe at ffffffff8fa000ea

PID: 4100     TASK: ffff9a1c51a40000  CPU: 3    COMMAND: "ps"
 #0 [ffffb1c2c7a1bc20] __schedule at ffffffff8f9c1d8b
 #1 [ffffb1c2c7a1bca8] schedule at ffffffff8f9c2206
 #2 [ffffb1c2c7a1bcc0] ${firstWaiter === 'write' ? 'rwsem_down_write_slowpath' : 'rwsem_down_read_slowpath'} at ffffffff8f9c5a3e
 #3 [ffffb1c2c7a1bd60] ${firstWaiter === 'write' ? 'down_write_killable' : 'down_read_killable'} at ffffffff8f9c5c0d
 #4 [ffffb1c2c7a1bd78] __access_remote_vm at ffffffff8f16e2b1
 #5 [ffffb1c2c7a1be00] proc_pid_cmdline_read at ffffffff8f2a81d4
 #6 [ffffb1c2c7a1bf50] entry_SYSCALL_64_after_hwframe at ffffffff8fa000ea

PID: 4200     TASK: ffff9a1c51a44680  CPU: 0    COMMAND: "top"
 #0 [ffffb1c2c7b2bc20] __schedule at ffffffff8f9c1d8b
 #1 [ffffb1c2c7b2bca8] schedule at ffffffff8f9c2206
 #2 [ffffb1c2c7b2bcc0] rwsem_down_read_slowpath at ffffffff8f9c5a3e
 #3 [ffffb1c2c7b2bd60] down_read_killable at ffffffff8f9c5c0d
 #4 [ffffb1c2c7b2bd78] __access_remote_vm at ffffffff8f16e2b1
 #5 [ffffb1c2c7b2be00] proc_pid_cmdline_read at ffffffff8f2a81d4
 #6 [ffffb1c2c7b2bf50] entry_SYSCALL_64_after_hwframe at ffffffff8fa000ea

crash> bt 2950
PID: 2950     TASK: ffff9a1c4a110000  CPU: 2    COMMAND: "node"
 #0 [ffffb1c2c4b3bd80] __schedule at ffffffff8f9c1d8b
 #1 [ffffb1c2c4b3be08] schedule at ffffffff8f9c2206
 #2 [ffffb1c2c4b3be20] schedule_hrtimeout_range_clock at ffffffff8f9c8f17
 #3 [ffffb1c2c4b3be90] ep_poll at ffffffff8f2c1f39
 #4 [ffffb1c2c4b3bf50] entry_SYSCALL_64_after_hwframe at ffffffff8fa000ea
crash> ps 2950
      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM
     2950      1   2  ffff9a1c4a110000  IN   0.4  1204332   80112  node
crash> struct rw_semaphore -x ffff9a1c48d2e1a8
struct rw_semaphore {
  count = {
    counter = ${count}
  },
  owner = {
    counter = ${owner}
  },
  wait_list = {
    next = 0xffffb1c2c7a1bcd8,
    prev = 0xffffb1c2c7b2bcd8
  }
}`;
  const edges = (text: string): string[][] => {
    const m = parse(text);
    return buildWaitGraph(m).edges.filter((e) => e.lock === 'ffff9a1c48d2e1a8').map((e) => [e.from, e.to ?? '-', e.toLabel ?? '-', e.queued ? 'queued' : '']);
  };
  assert.deepEqual(edges(paste('0x3', '0xffff9a1c4e5b0000', 'read')), [['pid:4100', 'pid:3300', '-', ''], ['pid:4200', 'pid:3300', '-', '']]);
  assert.deepEqual(edges(paste('0x3', '0xffff9a1c4e5b0000', 'write')), [['pid:4100', 'pid:3300', '-', ''], ['pid:4200', 'pid:4100', 'gitlab-runner:3300', 'queued']],
    'the reader behind a queued writer waits for the writer, which holds nothing; the holder is named on the link');
  // reader-owned, the hint names node, asleep in epoll_wait: no holder
  assert.deepEqual(edges(paste('0x102', '0xffff9a1c4a110003', 'read')), [['pid:4100', '-', '-', ''], ['pid:4200', '-', '-', '']]);
});

test('a circular report\'s dependency chain shows where a lock is taken: a blocked task waiting from that site, with no held-lock list of its own, waits for the one task the lists show holding it', async () => {
  const { parse } = await import('../parse/parse.ts');
  const paste = (secondHolder: boolean): string => [
    '======================================================',
    'WARNING: possible circular locking dependency detected',
    '6.1.60 #1 Not tainted',
    '------------------------------------------------------',
    'ethtool/3120 is trying to acquire lock:',
    'ffff8881034a2e48 ((wq_completion)ixq_wq){+.+.}-{0:0}, at: __flush_workqueue+0x9b/0x4d0',
    '',
    'but task is already holding lock:',
    'ffff888110b2c0a8 (&adapter->cfg_lock){+.+.}-{3:3}, at: ixq_set_ringparam+0x51/0x320 [ixq]',
    '',
    'which lock already depends on the new lock.',
    '',
    'the existing dependency chain (in reverse order) is:',
    '',
    '-> #2 (&adapter->cfg_lock){+.+.}-{3:3}:',
    '       __mutex_lock+0xa0/0x9c0',
    '       mutex_lock_nested+0x1b/0x30',
    '       ixq_reset_task+0x44/0x210 [ixq]',
    '       process_one_work+0x270/0x5a8',
    '',
    '-> #0 ((wq_completion)ixq_wq){+.+.}-{0:0}:',
    '       __flush_workqueue+0xc1/0x4d0',
    '       ixq_set_ringparam+0x1b0/0x320 [ixq]',
    '',
    '2 locks held by ethtool/3120:',
    ' #0: ffffffff83d2a7e8 (rtnl_mutex){+.+.}-{3:3}, at: ethnl_set_rings+0x8d/0x2a0',
    ' #1: ffff888110b2c0a8 (&adapter->cfg_lock){+.+.}-{3:3}, at: ixq_set_ringparam+0x51/0x320 [ixq]',
    ...(secondHolder ? ['1 lock held by ixq-diag/3301:', ' #0: ffff888110b2c0a8 (&adapter->cfg_lock){+.+.}-{3:3}, at: ixq_diag_read+0x22/0x90 [ixq]'] : []),
    'INFO: task kworker/2:1:187 blocked for more than 122 seconds.',
    'task:kworker/2:1     state:D stack:0     pid:187   ppid:2      flags:0x00004000',
    'Workqueue: ixq_wq ixq_reset_task [ixq]',
    'Call Trace:',
    ' <TASK>',
    ' __schedule+0x3f1/0x1760',
    ' schedule+0x33/0x110',
    ' schedule_preempt_disabled+0x15/0x30',
    ' __mutex_lock+0x4c7/0xb20',
    ' ixq_reset_task+0x44/0x210 [ixq]',
    ' process_one_work+0x192/0x350',
    ' </TASK>',
  ].join('\n');
  const edge = (text: string) => buildWaitGraph(parse(text)).edges.find((e) => e.from === 'pid:187');
  const e = edge(paste(false))!;
  assert.deepEqual([e.toLabel, e.lock, e.source], ['ethtool:3120', 'ffff888110b2c0a8', 'inferred']);
  assert.match(e.evidence, /dependency chain shows &adapter->cfg_lock taken from ixq_reset_task/);
  assert.equal(edge(paste(true))?.lock ?? null, null, 'two tasks list the class: no holder is picked');
});

test('a mutex owner word naming a task_struct that `kmem -s` shows FREE: the owner exited with the lock, no holder is named; an allocated one keeps the owner word\'s task', async () => {
  const { parse } = await import('../parse/parse.ts');
  const paste = (objLine: string): string => [
    'crash> bt 2210',
    'PID: 2210   TASK: ffff9c1e4a2b8000  CPU: 1   COMMAND: "udevadm"',
    ' #0 [ffffb3a2c1e3bc30] __schedule at ffffffffa31c8a41',
    ' #1 [ffffb3a2c1e3bcc0] schedule at ffffffffa31c8fd5',
    ' #2 [ffffb3a2c1e3bcd0] schedule_preempt_disabled at ffffffffa31c931a',
    ' #3 [ffffb3a2c1e3bcd8] __mutex_lock at ffffffffa31ca920',
    ' #4 [ffffb3a2c1e3bd58] tpm_try_get_ops at ffffffffa2c5e1a2',
    ' #5 [ffffb3a2c1e3bf50] entry_SYSCALL_64_after_hwframe at ffffffffa32000ad',
    'crash> struct mutex -x ffff9c1e51d0a2a0',
    'struct mutex {',
    '  owner = {',
    '    counter = 0xffff9c1e4f3c0001',
    '  },',
    '  wait_list = {',
    '    next = 0xffffb3a2c1e3bd10,',
    '    prev = 0xffffb3a2c1e3bd10',
    '  }',
    '}',
    'crash> kmem -s ffff9c1e4f3c0000',
    'CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME',
    'ffff9c1e40051700     9472        431       462    154    32k  task_struct',
    '  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE',
    '  ffffd6e5c47d9000  ffff9c1e4f3c0000     0      3          2     1',
    '  FREE / [ALLOCATED]',
    objLine,
  ].join('\n');
  const edge = (text: string) => buildWaitGraph(parse(text)).edges.find((e) => e.from === 'pid:2210')!;
  const freed = edge(paste('   ffff9c1e4f3c0000  '));
  assert.deepEqual([freed.lock, freed.to, freed.toLabel], ['ffff9c1e51d0a2a0', null, null]);
  assert.match(freed.evidence, /kmem -s shows ffff9c1e4f3c0000 \(task_struct\) FREE: the owner has exited/);
  assert.equal(edge(paste('  [ffff9c1e4f3c0000]')).toLabel, 'task ffff9c1e4f3c0000');
});
