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
