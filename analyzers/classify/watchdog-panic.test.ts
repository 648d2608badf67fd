// crash sessions whose PANIC string is not the watchdog's: the panicking task's stack decides when
// it is the lockup watchdog calling panic (seed 002's shape, on other subsystems and kernels).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from '../parse/parse.ts';
import { classify } from './index.ts';
import { crashLockup, panicTask, watchdogPanic } from './watchdog-panic.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const HARD = 'crash-hard-lockup-vxfc-6.6.txt';
const SOFT = 'crash-soft-lockup-cifsx-3.10.txt';

test('perf NMI watchdog (nmi_panic <- watchdog_hardlockup_check <- watchdog_overflow_callback) under a WARNING PANIC string: hard lockup in the driver', () => {
  // crash shows a WARNING as PANIC; the dump was taken from the NMI hard-lockup watchdog
  assert.deepEqual(classify(parse(fixture(HARD))), { family: 'hard_lockup', title: 'BUG: hard lockup in vxfc_queuecommand' });
});

test('soft-lockup watchdog (watchdog_timer_fn -> panic) under an oops PANIC string; the idle task of the banner\'s CPU is the panicking one', () => {
  const m = parse(fixture(SOFT));
  const t = panicTask(m, null);
  assert.equal(t?.cpu, 2, 'swapper/2, not swapper/0 (both PID 0)');
  assert.equal(watchdogPanic(t!)?.kind, 'soft_lockup');
  // the title names the interrupted code (exception RIP), not the timer interrupt's own frames
  assert.deepEqual(classify(m), { family: 'soft_lockup', title: 'BUG: soft lockup in smb2x_find_mid' });
});

test('a panic that is not the watchdog\'s keeps the PANIC string family and title', () => {
  const sysrq = fixture(HARD).replace('watchdog_hardlockup_check', 'sysrq_handle_crash').replace('watchdog_overflow_callback', '__handle_sysrq');
  assert.deepEqual(classify(parse(sysrq)), { family: 'oops', title: 'WARNING: CPU: 7 PID: 4121 at drivers/scsi/vxfc/vxfc_io.c:811 vxfc_abort_cmd+0x1b2/0x230 [vxfc]' });
  // watchdog frames far from panic (an oops inside a timer callback the watchdog's hrtimer ran) do not count
  const far = fixture(SOFT).replace(' #3 [ffff88023fd03ed0] watchdog_timer_fn', ' #3 [ffff88023fd03ed0] oops_end')
    .replace(' #4 [ffff88023fd03f08] __hrtimer_run_queues', ' #4 [ffff88023fd03f08] no_context')
    .replace(' #5 [ffff88023fd03f60] hrtimer_interrupt', ' #5 [ffff88023fd03f60] __bad_area_nosemaphore')
    .replace(' #6 [ffff88023fd03fa8] local_apic_timer_interrupt', ' #6 [ffff88023fd03fa8] do_page_fault')
    .replace(' #7 [ffff88023fd03fc0] smp_apic_timer_interrupt', ' #7 [ffff88023fd03fc0] watchdog_timer_fn');
  assert.equal(classify(parse(far)).family, 'oops');
  // another task's stack through the watchdog does not make the panicking task's verdict
  const other = fixture(SOFT).replace('CPU: 2\n', 'CPU: 0\n');
  assert.equal(panicTask(parse(other), null)?.cpu, 0);
  assert.equal(classify(parse(other)).family, 'oops');
});

test('console input keeps the first-report rule: an oops before the hard-lockup panic stays an oops', () => {
  const text = [
    '[ 5102.334410] BUG: unable to handle page fault for address: ffffffffc0b3e2c8',
    '[ 5112.771402] Kernel panic - not syncing: Hard LOCKUP',
    '[ 5112.771420] CPU: 6 PID: 0 Comm: swapper/6 Tainted: G           OE     5.4.0-150-generic #167-Ubuntu',
    '[ 5112.771433] Call Trace:',
    '[ 5112.771433]  <NMI>',
    '[ 5112.771434]  dump_stack+0x6d/0x8b',
    '[ 5112.771435]  panic+0x101/0x2e3',
    '[ 5112.771436]  nmi_panic.cold+0xc/0xc',
    '[ 5112.771437]  watchdog_overflow_callback.cold+0x5c/0x7d',
    '[ 5112.771438]  __perf_event_overflow+0x57/0x100',
    '[ 5112.771439]  </NMI>',
  ].join('\n');
  assert.equal(classify(parse(text)).family, 'oops');
});

const SEED = '/work/shared/seeds/002_f5b2a25c39dda0a7.txt';
test('seed 002: the nmi_panic from watchdog_overflow_callback makes it a hard lockup in lock_timer_base', () => {
  const plain = readFileSync(new URL('../../test/fixtures/seeds-plain/002-timer-after-module-unload.txt', import.meta.url), 'utf8');
  const want = { family: 'hard_lockup', title: 'BUG: hard lockup in lock_timer_base' };
  assert.deepEqual(classify(parse(plain)), want);
  if (existsSync(SEED)) assert.deepEqual(classify(parse(readFileSync(SEED, 'utf8'))), want);
});

test('crashLockup: the stuck view starts below the watchdog\'s exception stack; a console detector report takes over', () => {
  const wd = crashLockup(parse(fixture(HARD)));
  assert.equal(wd?.kind, 'hard_lockup');
  assert.equal(wd?.cpu, 7);
  assert.equal(wd?.task.stack[0]!.frames[0]!.fn, 'machine_kexec', 'the whole panicking task');
  // the stuck view has the interrupted code only: its exception RIP is the slow path, no NMI frames
  assert.equal(wd?.stuck.stack[0]!.exception?.fn, 'native_queued_spin_lock_slowpath');
  assert.ok(!wd!.stuck.stack.some((s) => s.frames.some((f) => f.fn === 'handle_pmi_common')));
  const withConsole = '[ 88.100000] watchdog: BUG: soft lockup - CPU#3 stuck for 22s! [kworker/3:1:211]\n' + fixture(HARD);
  assert.equal(crashLockup(parse(withConsole)), null);
});

test('a banner without PID or CPU (`sys | grep PANIC`): the one task whose stack runs the watchdog into panic is the panicking one', () => {
  const banner = 'crash> sys | grep -e RELEASE -e PANIC\n     RELEASE: 4.18.0-477.10.1.el8_8.x86_64\n       PANIC: "Kernel panic - not syncing: Hard LOCKUP"\ncrash> bt -a\n';
  // bt -a of two CPUs: an idle CPU interrupted by its NIC, and the CPU the perf NMI watchdog panicked on
  const idle = `PID: 0      TASK: ffff93c6c0b40000  CPU: 4   COMMAND: "swapper/4"
 #0 [fffffe00000c4e50] crash_nmi_callback at ffffffffa865a9b3
 #1 [fffffe00000c4e58] nmi_handle at ffffffffa8623873
 #2 [ffffb0b4c0cf3ee0] default_idle at ffffffffa8f0a23c
 #3 [ffffb0b4c0cf3f00] do_idle at ffffffffa871cfca
`;
  const stuck = `PID: 5120   TASK: ffff93c6e31b8000  CPU: 7   COMMAND: "mlxreset"
 #0 [ffff93c6ffa08b38] machine_kexec at ffffffffa866200e
 #1 [ffff93c6ffa08b90] __crash_kexec at ffffffffa87610cd
 #2 [ffff93c6ffa08c58] panic at ffffffffa86ebd17
 #3 [ffff93c6ffa08ce0] nmi_panic.cold.10 at ffffffffa86ebb4c
 #4 [ffff93c6ffa08cf0] watchdog_overflow_callback.cold.7 at ffffffffa8795f83
 #5 [ffff93c6ffa08d00] __perf_event_overflow at ffffffffa880c7e2
 #6 [ffff93c6ffa08fb0] end_repeat_nmi at ffffffffa90016d4
    [exception RIP: mlx_fw_poll+42]
    RIP: ffffffffc0a2f8c6  RSP: ffffb0b4c8a5fcf0  RFLAGS: 00000086
--- <NMI exception stack> ---
 #7 [ffffb0b4c8a5fcf0] mlx_fw_poll at ffffffffc0a2f8c6 [mlx]
 #8 [ffffb0b4c8a5fd40] mlx_reset_ioctl at ffffffffc0a31a10 [mlx]
 #9 [ffffb0b4c8a5fe10] do_vfs_ioctl at ffffffffa88a6f3b
`;
  const m = parse(banner + idle + '\n' + stuck);
  assert.equal(panicTask(m, null)?.pid, 5120);
  assert.equal(crashLockup(m)?.kind, 'hard_lockup');
  assert.deepEqual(classify(m), { family: 'hard_lockup', title: 'BUG: hard lockup in mlx_fw_poll' });
  // two stacks through the watchdog into panic: which one panicked is not known, so neither is picked
  const two = parse(banner + stuck + '\n' + stuck.replace('PID: 5120', 'PID: 5121').replace('ffff93c6e31b8000', 'ffff93c6e31b9000').replace('CPU: 7', 'CPU: 3'));
  assert.equal(panicTask(two, null), undefined);
  assert.equal(crashLockup(two), null);
});
