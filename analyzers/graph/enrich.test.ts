// enrichFromGraph on lockup findings: the CPU is busy, not waiting; what the graph adds is who waits
// for the task it runs (the victims), first in the chain, with the lock as suspect.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../analyze.ts';

// a soft lockup on CPU 5 of a task that owns a mutex (crash struct mutex owner) another task sleeps on
const paste = `crash> log | grep "soft lockup"
[ 8812.330145] watchdog: BUG: soft lockup - CPU#5 stuck for 26s! [mlxfw-upd:7720]
crash> bt 7720
PID: 7720     TASK: ffff9d2e8a1c4000  CPU: 5    COMMAND: "mlxfw-upd"
 #0 [ffffb3a1c8e0bd48] asm_sysvec_apic_timer_interrupt at ffffffff9a800e0a
    [exception RIP: mlxfw_poll_status+44]
    RIP: ffffffffc0b21e2c  RSP: ffffb3a1c8e0bdf8  RFLAGS: 00000246
 #1 [ffffb3a1c8e0be00] mlxfw_flash_write at ffffffffc0b22a10 [mlxfw]
 #2 [ffffb3a1c8e0be60] mlxfw_ioctl at ffffffffc0b23180 [mlxfw]
 #3 [ffffb3a1c8e0bf48] do_syscall_64 at ffffffff9a6a9b6c
crash> bt 7801
PID: 7801     TASK: ffff9d2e8a1c9000  CPU: 1    COMMAND: "ethtool"
 #0 [ffffb3a1c9a3bc10] __schedule at ffffffff9a6e3d0c
 #1 [ffffb3a1c9a3bc98] schedule at ffffffff9a6e4153
 #2 [ffffb3a1c9a3bcb0] schedule_preempt_disabled at ffffffff9a6e45ee
 #3 [ffffb3a1c9a3bcc0] __mutex_lock.constprop.0 at ffffffff9a6e7a9a
 #4 [ffffb3a1c9a3bd40] mlxfw_get_info at ffffffffc0b230d4 [mlxfw]
 #5 [ffffb3a1c9a3bd80] dev_ethtool at ffffffff9a5d2f40
crash> struct mutex ffff9d2e84c0a3a8 -x
struct mutex {
  owner = {
    counter = 0xffff9d2e8a1c4001
  },
  wait_list = {
    next = 0xffffb3a1c9a3bcd8,
    prev = 0xffffb3a1c9a3bcd8
  }
}`;

test('soft lockup of a task that owns a mutex: the waiter comes first in the chain, the mutex is the suspect held by the stuck task', () => {
  const a = analyze(paste);
  assert.equal(a.family, 'soft_lockup');
  const f = a.findings.find((x) => x.pattern === 'soft-lockup')!;
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.lock, l.heldBy]).slice(0, 1), [['ethtool:7801', 'ffff9d2e84c0a3a8', 'mlxfw-upd:7720']]);
  assert.equal(f.blockingChain[1]!.task, 'mlxfw-upd:7720');
  assert.deepEqual([f.suspectLock?.address, f.suspectLock?.holder], ['ffff9d2e84c0a3a8', 'mlxfw-upd:7720']);
  assert.equal(f.cycle, false);
  // nobody waiting on it: the lockup finding is left as it was (no victims, no suspect invented)
  const alone = analyze(paste.slice(0, paste.indexOf('crash> bt 7801')));
  const g = alone.findings.find((x) => x.pattern === 'soft-lockup')!;
  assert.equal(g.blockingChain.length, 1);
  assert.equal(g.suspectLock?.holder ?? null, null);
});

test('a soft lockup spinning on a mutex owner (mutex_spin_on_owner, RDI = the dumped mutex) still gets the owner from the graph', () => {
  const text = `[ 5521.004211] watchdog: BUG: soft lockup - CPU#2 stuck for 23s! [nvmx-admin:6120]
[ 5521.004240] CPU: 2 PID: 6120 Comm: nvmx-admin Not tainted 5.14.0-284.el9.x86_64 #1
[ 5521.004251] RIP: 0010:mutex_spin_on_owner+0x3c/0x90
[ 5521.004260] RSP: 0018:ffffb3a1c9a3bcd0 EFLAGS: 00000246
[ 5521.004263] RAX: 0000000000000000 RBX: ffff9d2e84c0a3a8 RCX: 0000000000000000
[ 5521.004266] RDX: 0000000000000001 RSI: ffff9d2e8a1c4000 RDI: ffff9d2e84c0a3a8
[ 5521.004270] Call Trace:
[ 5521.004273]  __mutex_lock.constprop.0+0x3d1/0x8a0
[ 5521.004278]  nvmx_admin_cmd+0x31/0x120 [nvmx]
[ 5521.004282]  nvmx_ioctl+0x88/0x1a0 [nvmx]
crash> bt 7720
PID: 7720     TASK: ffff9d2e8a1c4000  CPU: 5    COMMAND: "nvmx-reset"
 #0 [ffffb3a1c8e0bd48] __schedule at ffffffff9a6e3d0c
 #1 [ffffb3a1c8e0bdc0] schedule_timeout at ffffffff9a6ea2a8
 #2 [ffffb3a1c8e0be00] nvmx_fw_wait at ffffffffc0b22a10 [nvmx]
 #3 [ffffb3a1c8e0be60] nvmx_reset_work at ffffffffc0b23180 [nvmx]
crash> struct mutex ffff9d2e84c0a3a8 -x
struct mutex {
  owner = {
    counter = 0xffff9d2e8a1c4000
  },
  wait_list = {
    next = 0xffff9d2e84c0a3b8,
    prev = 0xffff9d2e84c0a3b8
  }
}`;
  const f = analyze(text).findings.find((x) => x.pattern === 'soft-lockup')!;
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.lock, l.heldBy]), [['nvmx-admin:6120', 'ffff9d2e84c0a3a8', 'nvmx-reset:7720']]);
  assert.equal(f.suspectLock?.holder, 'nvmx-reset:7720');
});
