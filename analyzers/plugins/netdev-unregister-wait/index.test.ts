// netdev-unregister-wait on three shapes of the same hang: a v6.6 syzkaller-style report with the
// reference tracker's stack (veth, dst), a RHEL 7 (3.10) docker host where copy_net_ns waits for
// net_mutex held by the netns cleanup worker (its sysrq-w stack in the paste), and a v6.1 host where a
// module load waits for pernet_ops_rwsem for writing and a container start queues behind it, with
// the cleanup worker not in the paste (no holder may be named).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze } from '../../analyze.ts';
import type { Analysis, Finding } from '../../contract.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const ours = (a: Analysis): Finding => {
  const f = a.findings.find((x) => x.pattern === 'netdev-unregister-wait');
  assert.ok(f, `no netdev-unregister-wait finding: ${a.findings.map((x) => x.pattern).join(', ')}`);
  return f;
};

test('the reference tracker names where the leaked reference was taken: that is the key frame; no task is named as holder', () => {
  const a = analyze(fixture('refcount-tracker-6.6.txt'));
  assert.equal(a.family, 'stuck_tasks');
  assert.equal(a.title, 'unregister_netdevice: waiting for DEV to become free');
  const f = ours(a);
  assert.equal(a.findings[0], f);
  assert.deepEqual(f.keyFrames, ['dst_init', 'dst_alloc'], 'the tracker helpers (__netdev_tracker_alloc, netdev_hold) are not to blame');
  assert.equal(f.suspectLock?.primitive, 'refcount');
  assert.match(f.suspectLock?.name ?? '', /veth3f1a/);
  assert.equal(f.suspectLock?.holder, null);
  const last = f.blockingChain[f.blockingChain.length - 1]!;
  assert.equal(last.task, 'pid 8123', 'the printk caller id of the line is the unregistering task');
  assert.equal(last.heldBy, null);
  assert.match(last.evidence ?? '', /ref_tracker: 1\/1 .* dst_init/);
  assert.deepEqual(last.lines, [1, 11, 2]);
  assert.equal(f.cycle, false);
});

test('3.10 docker host: copy_net_ns waits for net_mutex, held by the cleanup_net worker that waits for the references', () => {
  const a = analyze(fixture('netns-net-mutex-3.10.txt'));
  const f = ours(a);
  assert.equal(a.findings[0], f, 'the mechanism ranks above the generic hung-task finding');
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.primitive, l.lock, l.heldBy]), [
    ['exe:21403', 'mutex', 'net_mutex', 'kworker/u64:2:30012'],
    ['kworker/u64:2:30012', 'refcount', null, null],
  ]);
  assert.deepEqual(f.keyFrames, ['netdev_run_todo', 'default_device_exit_batch']);
  assert.match(f.headline, /netdev lo cannot be freed: 1 reference still held, holder unknown/);
  // the pre-4.11 sysrq-w task line (saved PC between state and pid) starts the worker's own stack
  const worker = a.tasks.find((t) => t.pid === 30012);
  assert.equal(worker?.comm, 'kworker/u64:2');
  assert.equal(worker?.state, 'D');
  assert.ok(worker?.frames.includes('cleanup_net'));
  assert.ok(!a.tasks.find((t) => t.pid === 21403)?.frames.includes('cleanup_net'), 'the exe stack stays its own');
});

test('6.1: the module load (writer) and the container start (reader, queued behind it) wait for pernet_ops_rwsem; the cleanup worker is not in the paste, so no holder is named', () => {
  const a = analyze(fixture('pernet-rwsem-writer-6.1.txt'));
  assert.equal(a.family, 'hung_task', 'the hung-task reports decide the family, not the unregister line printed before them');
  const f = ours(a);
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.primitive, l.lock]), [
    ['runc:[2:INIT]:44201', 'rwsem_read', 'pernet_ops_rwsem'],
    ['modprobe:44120', 'rwsem_write', 'pernet_ops_rwsem'],
    ['unregister of gre0', 'refcount', null],
  ]);
  assert.match(f.blockingChain[0]!.waitsOn, /queued behind the waiting writer modprobe:44120/);
  for (const fd of a.findings) {
    assert.equal(fd.suspectLock?.holder ?? null, null, `${fd.pattern} names a holder`);
    for (const l of fd.blockingChain) assert.equal(l.heldBy, null, `${fd.pattern}: ${l.task} -> ${l.heldBy}`);
  }
});

test('not without the unregister line: a task in copy_net_ns alone is a plain hung task; two devices give two findings', () => {
  const hungOnly = fixture('pernet-rwsem-writer-6.1.txt').split('\n').filter((l) => !l.includes('unregister_netdevice')).join('\n');
  const a = analyze(hungOnly);
  assert.equal(a.family, 'hung_task');
  assert.ok(!a.findings.some((f) => f.pattern === 'netdev-unregister-wait'));
  const two = analyze([
    '[  10.1] unregister_netdevice: waiting for veth1 to become free. Usage count = 1',
    '[  10.2] unregister_netdevice: waiting for ip6gre0 to become free. Usage count = 4',
    '[  20.1] unregister_netdevice: waiting for veth1 to become free. Usage count = 1',
  ].join('\n'));
  assert.deepEqual(two.findings.filter((f) => f.pattern === 'netdev-unregister-wait').map((f) => f.suspectLock?.name), ['veth1 (net_device references)', 'ip6gre0 (net_device references)']);
  // the words in other output are not the detector
  assert.equal(analyze('grep "unregister_netdevice: waiting for" /var/log/messages returned nothing').family, 'not_kernel');
});

test('6.1 USB unbind: the unregistering task is known only from its held locks (a driver unbind in progress); the task blocked on that device lock is chained to the leak', () => {
  const text = fixture('usb-unbind-device-lock-6.1.txt');
  const f = ours(analyze(text));
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.primitive, l.lock, l.heldBy]), [
    ['lsusb:4120', 'mutex', 'ffff9c0e4b5c1190', 'sh:3310'],
    ['sh:3310', 'refcount', null, null],
  ]);
  assert.match(f.blockingChain[1]!.evidence ?? '', /inferred: sh\/3310's held locks show a driver unbind in progress \(&dev->mutex ffff9c0e4b5c1190 taken at device_release_driver_internal\)/);
  assert.equal(f.suspectLock?.holder, null, 'the references are held by a leak, not by the unbinding task');

  // two tasks unbinding devices: nothing says which one unregisters this netdev, so none is named
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.includes('1 lock held by lsusb/4120'));
  lines.splice(at, 0,
    '[ 5256.031000] 1 lock held by systemd-udevd/977:',
    '[ 5256.031100]  #0: ffff9c0e4ca02190 (&dev->mutex){....}-{3:3}, at: device_release_driver_internal+0x3c/0x1f0');
  const two = ours(analyze(lines.join('\n')));
  assert.deepEqual(two.blockingChain.map((l) => l.task), ['unregister of enx00e04c680a11']);
});

test('a wait the log shows over (the line stopped for three of its own periods while the log went on) gets no finding; shorter silences, one line or a clock that goes back prove nothing', () => {
  // a bond slave on 6.6 with net.core.netdev_unregister_timeout_secs=30: the line comes every 30 s
  const stamp = (s: number): string => `[${s.toFixed(6).padStart(12)}]`;
  const waits = [1200, 1230, 1260].map((s, k) => `${stamp(s + 0.1)} unregister_netdevice: waiting for bond0.210 to become free. Usage count = ${5 - k}`);
  const later = (s: number): string => `${stamp(s)} bond0: (slave ens1f1): link status definitely up, 25000 Mbps full duplex`;
  const found = (text: string): boolean => analyze(text).findings.some((f) => f.pattern === 'netdev-unregister-wait');
  assert.ok(found([...waits, later(1320)].join('\n')), '60 s after the last line is two periods: it may still be waiting');
  assert.ok(!found([...waits, later(1300), later(1355)].join('\n')), '95 s of log without the line: the release finished');
  assert.ok(found([waits[0]!, later(1900)].join('\n')), 'one line gives no period to measure the silence by');
  assert.ok(found([...waits, later(4.2)].join('\n')), 'a stamp going back (a reboot, another log) proves nothing');
  assert.ok(found([...waits, 'bond0: (slave ens1f1): link status definitely up'].join('\n')), 'no stamp after the last line: nothing to measure');
});

test('a cut paste is not a finished wait: a hung-task report after a long silence means the lines were left out', () => {
  const text = [
    '[ 1200.100000] unregister_netdevice: waiting for vxlan.calico to become free. Usage count = 2',
    '[ 1210.100000] unregister_netdevice: waiting for vxlan.calico to become free. Usage count = 2',
    '[ 1370.551200] INFO: task calico-node:8812 blocked for more than 122 seconds.',
    '[ 1370.551300]       Not tainted 6.6.30 #1',
    '[ 1370.551400] task:calico-node     state:D stack:0     pid:8812  ppid:8790   flags:0x00004002',
    '[ 1370.551500] Call Trace:',
    '[ 1370.551600]  <TASK>',
    '[ 1370.551700]  __schedule+0x3b1/0x1720',
    '[ 1370.551800]  schedule+0x5e/0xd0',
    '[ 1370.551900]  schedule_preempt_disabled+0x15/0x30',
    '[ 1370.552000]  __mutex_lock.constprop.0+0x39a/0x6d0',
    '[ 1370.552100]  rtnetlink_rcv_msg+0x13f/0x3f0',
    '[ 1370.552200]  netlink_rcv_skb+0x5a/0x110',
    '[ 1370.552300]  netlink_unicast+0x1a6/0x290',
    '[ 1370.552400]  netlink_sendmsg+0x254/0x4d0',
    '[ 1370.552500]  __sys_sendto+0x1f4/0x210',
    '[ 1370.552600]  __x64_sys_sendto+0x24/0x30',
    '[ 1370.552700]  do_syscall_64+0x5d/0x90',
    '[ 1370.552800]  entry_SYSCALL_64_after_hwframe+0x6e/0xd8',
    '[ 1370.552900]  </TASK>',
  ].join('\n');
  assert.ok(analyze(text).findings.some((f) => f.pattern === 'netdev-unregister-wait'));
});
