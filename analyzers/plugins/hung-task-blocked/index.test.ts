import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hungTaskBlocked } from './index.ts';
import { analyze } from '../../analyze.ts';
import { consoleFixture, runPlugin, seedText } from '../generic-helpers/test-support.ts';

test('hung task on a mutex with the blocker line: waiter → owner, owner waits on a work flush', () => {
  const { findings } = runPlugin(hungTaskBlocked, consoleFixture('hung-task-mutex-owner.txt'));
  assert.equal(findings.length, 1);
  const f = findings[0]!;
  assert.equal(f.pattern, 'hung-task-blocked');
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.primitive, l.heldBy]), [
    ['kworker/u8:3:1204', 'mutex', 'nvme:2231'],
    ['nvme:2231', 'flush_work', null],
  ]);
  assert.deepEqual(f.keyFrames, ['nvmet_fc_delete_target_queue', 'nvmet_fc_delete_ctrl_work']);
  assert.equal(f.suspectLock?.holder, 'nvme:2231');
  assert.equal(f.suspectLock?.primitive, 'mutex');
  assert.equal(f.cycle, false);
  assert.ok(f.confidence < 0.7, 'generic findings rank below the mechanism analyzers');
  assert.ok(f.nextSteps.some((s) => s.startsWith('crash> struct mutex')));
  assert.equal(f.caseId, null);
});

test('no blocker line: the holder stays unknown and the next steps say how to find it', () => {
  const text = consoleFixture('hung-task-mutex-owner.txt').split('\n').filter((l) => !l.includes('likely owned by')).join('\n');
  const f = runPlugin(hungTaskBlocked, text).findings[0]!;
  assert.equal(f.blockingChain[0]!.heldBy, null);
  assert.equal(f.suspectLock, null);
  assert.ok(f.nextSteps.some((s) => s.includes('sysrq-trigger')));
});

test('crash foreach bt without states (seed 003): readers queued on the rw_semaphore, and the writer', () => {
  const { findings } = runPlugin(hungTaskBlocked, seedText('003_8e2fec0ccb6e1cbe.txt'));
  const prims = findings.map((f) => f.blockingChain[0]!.primitive);
  assert.ok(prims.includes('rwsem_read'));
  assert.ok(prims.includes('rwsem_write'));
  const reader = findings.find((f) => f.blockingChain[0]!.primitive === 'rwsem_read')!;
  assert.equal(reader.keyFrames[0], 'ffs_get_user_page');
  const writer = findings.find((f) => f.blockingChain[0]!.primitive === 'rwsem_write')!;
  assert.equal(writer.keyFrames[0], 'do_mprotect_pkey');
});

test('ps + /proc/PID/stack (seed 000): rmmod waits on a workqueue flush from the module exit', () => {
  const f = runPlugin(hungTaskBlocked, seedText('000_f2b6f952a013b8da.txt')).findings[0]!;
  assert.equal(f.blockingChain[0]!.task, 'rmmod:31969');
  assert.equal(f.blockingChain[0]!.primitive, 'flush_workqueue');
  assert.equal(f.keyFrames[0], 'flush_scheduled_work');
});

test('a "<reader>" owner on the blocker line is a hint: disproved by its stack sleeping outside any read section, kept when it sleeps in a page fault; a "<writer>" owner is exact', () => {
  // 6.16: a fs-freeze writer waits for the i_rwsem-like rwsem of a FUSE inode; the named last reader
  const paste = (ownerTag: string, ownerState: string, ownerFrames: string[]): string => [
    '[ 3381.100100] INFO: task fsfreeze:9120 blocked for more than 122 seconds.',
    '[ 3381.100200]       Not tainted 6.16.3 #1',
    '[ 3381.100300] task:fsfreeze        state:D stack:0     pid:9120  tgid:9120  ppid:9001   task_flags:0x400100 flags:0x00004002',
    '[ 3381.100400] Call Trace:',
    '[ 3381.100500]  <TASK>',
    '[ 3381.100600]  __schedule+0x41c/0x1510',
    '[ 3381.100700]  schedule+0x27/0xf0',
    '[ 3381.100800]  schedule_preempt_disabled+0x15/0x30',
    '[ 3381.100900]  rwsem_down_write_slowpath+0x27c/0x6f0',
    '[ 3381.101000]  down_write+0x5a/0x60',
    '[ 3381.101100]  fuse_do_setattr+0x8c/0x7c0 [fuse]',
    '[ 3381.101200]  notify_change+0x1f0/0x4a0',
    '[ 3381.101300]  do_truncate+0x7e/0xd0',
    '[ 3381.101400]  </TASK>',
    `[ 3381.101500] INFO: task fsfreeze:9120 <writer> blocked on an rw-semaphore likely owned by task node:7310 <${ownerTag}>`,
    `[ 3381.101600] task:node            state:${ownerState} stack:0     pid:7310  tgid:7301  ppid:1      task_flags:0x400040 flags:0x00000002`,
    '[ 3381.101700] Call Trace:',
    '[ 3381.101800]  <TASK>',
    '[ 3381.101900]  __schedule+0x41c/0x1510',
    '[ 3381.102000]  schedule+0x27/0xf0',
    ...ownerFrames.map((f, k) => `[ 3381.10${2100 + k * 100}]  ${f}`),
    '[ 3381.103000]  </TASK>',
  ].join('\n');
  const epoll = ['schedule_hrtimeout_range_clock+0xf7/0x110', 'ep_poll+0x2f9/0x370', 'do_epoll_wait+0xbb/0xd0', '__x64_sys_epoll_wait+0x5f/0x100', 'do_syscall_64+0x7e/0x170'];
  const fault = ['io_schedule+0x46/0x70', 'folio_wait_bit_common+0x13d/0x350', 'filemap_fault+0x5b2/0xa40', '__do_fault+0x36/0x130', 'do_fault+0x1e1/0x4a0', '__handle_mm_fault+0x6f2/0xd70', 'handle_mm_fault+0x108/0x360', 'do_user_addr_fault+0x1d2/0x6b0', 'exc_page_fault+0x79/0x180'];
  const holders = (text: string): Array<string | null> => {
    const f = runPlugin(hungTaskBlocked, text).findings.find((x) => x.blockingChain[0]?.task === 'fsfreeze:9120')!;
    return [f.suspectLock?.holder ?? null, f.blockingChain[0]!.heldBy];
  };
  assert.deepEqual(holders(paste('reader', 'S', epoll)), [null, null], 'a reader asleep in epoll_wait holds no read side');
  assert.match(runPlugin(hungTaskBlocked, paste('reader', 'S', epoll)).findings[0]!.blockingChain[0]!.evidence ?? '', /only the last reader .* ep_poll/);
  assert.deepEqual(holders(paste('reader', 'D', fault)), ['node:7310', 'node:7310'], 'a reader blocked inside a page fault may well hold it');
  assert.deepEqual(holders(paste('writer', 'S', epoll)), ['node:7310', 'node:7310'], 'a writer owner is recorded exactly');
});

test('the blocker line names no lock: the lockdep lists give it when the waiter\'s list ends with the lock it sleeps on and the owner\'s list holds the same address', () => {
  const paste = (ownerLockAddr: string): string => [
    '[ 9120.400100] INFO: task CPU 1/KVM:5530 blocked for more than 122 seconds.',
    '[ 9120.400200] task:CPU 1/KVM       state:D stack:0     pid:5530  tgid:5501  ppid:1      flags:0x00004002',
    '[ 9120.400300] Call Trace:',
    '[ 9120.400400]  <TASK>',
    '[ 9120.400500]  __schedule+0x3f1/0x1760',
    '[ 9120.400600]  schedule+0x33/0x110',
    '[ 9120.400700]  schedule_preempt_disabled+0x15/0x30',
    '[ 9120.400800]  __mutex_lock+0x4c7/0xb20',
    '[ 9120.400900]  kvm_vcpu_ioctl+0x2a4/0x6f0 [kvm]',
    '[ 9120.401000]  __x64_sys_ioctl+0x8d/0xd0',
    '[ 9120.401100]  do_syscall_64+0x88/0x170',
    '[ 9120.401200]  </TASK>',
    '[ 9120.401300] INFO: task CPU 1/KVM:5530 is blocked on a mutex likely owned by task qemu-kvm:5501.',
    '[ 9120.401400] Showing all locks held in the system:',
    '[ 9120.401500] 1 lock held by CPU 1/KVM/5530:',
    '[ 9120.401600]  #0: ffff8881530a40b8 (&vcpu->mutex){+.+.}-{3:3}, at: kvm_vcpu_ioctl+0x2a4/0x6f0 [kvm]',
    '[ 9120.401700] 2 locks held by qemu-kvm/5501:',
    '[ 9120.401800]  #0: ffff88815a2b0ec8 (&kvm->lock){+.+.}-{3:3}, at: kvm_vm_ioctl+0x4d1/0x1480 [kvm]',
    `[ 9120.401900]  #1: ${ownerLockAddr} (&vcpu->mutex){+.+.}-{3:3}, at: kvm_vm_ioctl_enable_cap+0x17e/0x2a0 [kvm]`,
  ].join('\n');
  const f = runPlugin(hungTaskBlocked, paste('ffff8881530a40b8')).findings[0]!;
  assert.equal(f.suspectLock?.address, 'ffff8881530a40b8');
  assert.equal(f.suspectLock?.name, '&vcpu->mutex');
  assert.equal(f.suspectLock?.holder, 'qemu-kvm:5501');
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.lock, l.heldBy]), [['CPU 1/KVM:5530', 'ffff8881530a40b8', 'qemu-kvm:5501']]);
  // the owner holds another vcpu's mutex: the lists do not say which lock, the blocker line's owner stays
  const other = runPlugin(hungTaskBlocked, paste('ffff8881530a80b8')).findings[0]!;
  assert.equal(other.suspectLock?.address, null);
  assert.equal(other.suspectLock?.holder, 'qemu-kvm:5501');
});

test('an interruptible lock wait (state IN) gets a finding when a dump puts it in the lock\'s wait list, not on its stack alone', () => {
  const paste = (withDump: boolean): string => [
    'crash> ps 812 905',
    '   PID    PPID  CPU       TASK        ST  %MEM     VSZ    RSS  COMM',
    '    812      2   3  ffff8d0a41e30000  UN   0.0       0      0  [kworker/3:1]',
    '    905      1   1  ffff8d0a4c2b8000  IN   0.1  392120  11240  ModemManager',
    'crash> bt 812',
    'PID: 812    TASK: ffff8d0a41e30000  CPU: 3   COMMAND: "kworker/3:1"',
    ' #0 [ffffa8c1c0d1bb90] __schedule at ffffffffa31c8a41',
    ' #1 [ffffa8c1c0d1bc20] schedule at ffffffffa31c8fd5',
    ' #2 [ffffa8c1c0d1bc30] schedule_timeout at ffffffffa31cc5a2',
    ' #3 [ffffa8c1c0d1bcb0] wait_for_completion_timeout at ffffffffa31c9e1b',
    ' #4 [ffffa8c1c0d1bd08] usb_start_wait_urb at ffffffffa2d86f41',
    ' #5 [ffffa8c1c0d1bd60] usb_control_msg at ffffffffa2d8712c',
    ' #6 [ffffa8c1c0d1bdc0] option_send_setup at ffffffffc08a21b5 [option]',
    ' #7 [ffffa8c1c0d1be00] process_one_work at ffffffffa28d4e07',
    ' #8 [ffffa8c1c0d1be48] worker_thread at ffffffffa28d5370',
    ' #9 [ffffa8c1c0d1bf10] kthread at ffffffffa28db1f6',
    'crash> bt 905',
    'PID: 905    TASK: ffff8d0a4c2b8000  CPU: 1   COMMAND: "ModemManager"',
    ' #0 [ffffa8c1c1e3bc30] __schedule at ffffffffa31c8a41',
    ' #1 [ffffa8c1c1e3bcc0] schedule at ffffffffa31c8fd5',
    ' #2 [ffffa8c1c1e3bcd0] schedule_preempt_disabled at ffffffffa31c931a',
    ' #3 [ffffa8c1c1e3bcd8] __mutex_lock at ffffffffa31ca920',
    ' #4 [ffffa8c1c1e3bd58] __mutex_lock_interruptible_slowpath at ffffffffa31cab03',
    ' #5 [ffffa8c1c1e3bd68] mutex_lock_interruptible at ffffffffa31cab4c',
    ' #6 [ffffa8c1c1e3bd78] serial_open at ffffffffc0899e21 [usbserial]',
    ' #7 [ffffa8c1c1e3bdb0] tty_open at ffffffffa2c1f5d3',
    ' #8 [ffffa8c1c1e3be20] chrdev_open at ffffffffa2b1c0b2',
    ' #9 [ffffa8c1c1e3bf50] entry_SYSCALL_64_after_hwframe at ffffffffa32000ad',
    ...(withDump ? [
      'crash> struct mutex -x ffff8d0a5a1e4c38',
      'struct mutex {',
      '  owner = {',
      '    counter = 0xffff8d0a41e30001',
      '  },',
      '  wait_list = {',
      '    next = 0xffffa8c1c1e3bd10,',
      '    prev = 0xffffa8c1c1e3bd10',
      '  }',
      '}',
    ] : []),
  ].join('\n');
  const withDump = analyze(paste(true)).findings;
  const waiter = withDump.find((f) => f.blockingChain[0]?.task === 'ModemManager:905');
  assert.ok(waiter, withDump.map((f) => f.headline).join(' | '));
  assert.deepEqual(waiter.blockingChain.slice(0, 1).map((l) => [l.lock, l.heldBy]), [['ffff8d0a5a1e4c38', 'kworker/3:1:812']]);
  assert.equal(withDump[0], waiter, 'a chain whose lock and holder come from the dumped lock ranks above the stack-only finding of the holder');
  assert.equal(waiter.confidence, 0.6);
  const stackOnly = analyze(paste(false)).findings;
  assert.ok(!stackOnly.some((f) => f.blockingChain[0]?.task === 'ModemManager:905'), 'an IN task in a mutex slow path without a dump is not reported as blocked');
});
