import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyze.ts';
import { findingOf, readFixture, readPlain, readSeed } from '../../../test/helpers/fixture-reader.ts';

const ID = 'irq-reentrant-spinlock';
const fx = (n: string) => readFixture(import.meta.url, n);

for (const [name, text] of [['seed 001 document', () => readSeed('001_92ad9bb8df84726d.txt')], ['seed 001 plain paste', () => readPlain('001')]] as const) {
  test(`${name}: CPU1 fio 2857 holds bfqd->lock in bfq_bio_merge and its softirq re-takes it`, () => {
    const a = analyze(text());
    assert.equal(a.findings[0]!.pattern, ID);
    const f = a.findings[0]!;
    assert.equal(f.suspectLock!.address, 'ffff92adc0fc6400');
    assert.equal(f.suspectLock!.name, 'bfqd->lock');
    assert.equal(f.suspectLock!.holder, 'fio:2857');
    assert.equal(f.cycle, true);
    assert.deepEqual(f.keyFrames.slice(0, 2), ['bfq_bio_merge', 'bfq_finish_requeue_request']);
    // every other CPU spinning on the lock and CPU0's IPI wait join the chain, the self-loop last
    assert.deepEqual(f.blockingChain.map((l) => l.task), ['kworker/0:1:2635', 'kworker/2:1H:491', 'fio:2861', 'fio:2857']);
    assert.equal(f.blockingChain[0]!.primitive, 'ipi');
    assert.ok(f.blockingChain.every((l) => l.heldBy === 'fio:2857'));
    assert.equal(f.caseId, 'bfq-spin-unlock-irq-reentry');
    assert.ok(f.nextSteps.some((s) => s.startsWith('crash> bt -c 1')));
    assert.ok(f.checklist.some((c) => /irqsave/.test(c)));
  });
}

test('NIC tx lock: hard IRQ re-takes the lock the interrupted xmit path holds (lock address live in RDI/R12)', () => {
  const f = findingOf(analyze(fx('nic-txlock-hardirq-crash.txt')), ID)!;
  assert.ok(f);
  assert.equal(f.suspectLock!.address, 'ffff8f6e2b1c0a40');
  assert.equal(f.suspectLock!.holder, 'iperf3:14420');
  assert.equal(f.keyFrames[0], 'xnet_start_xmit');
  assert.deepEqual(f.blockingChain.map((l) => l.task), ['swapper/2:0', 'iperf3:14420']);
  assert.equal(f.caseId, null);
});

test('old console format: NAPI softirq spins on the lock the interrupted bnxq xmit path took', () => {
  const f = findingOf(analyze(fx('bnx-softirq-napi-console.txt')), ID)!;
  assert.ok(f);
  assert.equal(f.suspectLock!.address, 'ffff9f41f9c74f58');
  assert.equal(f.suspectLock!.holder, 'nginx:9120');
  assert.equal(f.cycle, true);
});

test('near miss: the interrupted code is elsewhere (no taker, no lock in its registers) → not re-entrant', () => {
  assert.equal(findingOf(analyze(fx('nearmiss-other-function.txt')), ID), undefined);
});

test('many CPUs waiting for the IPI: the chain keeps 16 of them, then the lock spinners and the self link', () => {
  // seed 001 with 30 more CPUs stuck in smp_call_function_many like CPU0 (a big bt -a / foreach bt)
  const text = readPlain('001');
  const lines = text.split('\n');
  const start = lines.findIndex((l, i) => l.startsWith('PID: 2635 ') && lines[i - 1] === 'crash> bt -a');
  const end = lines.findIndex((l, i) => i > start && l.startsWith('PID: '));
  assert.ok(start > 0 && end > start);
  const block = lines.slice(start, end).join('\n');
  const extra: string[] = [];
  for (let i = 0; i < 30; i++) {
    extra.push(block
      .replace('PID: 2635 ', `PID: ${7000 + i} `)
      .replace('TASK: ffff92acd6cf17c0', `TASK: ffff92acd6d${String(i).padStart(5, '0')}`)
      .replace('CPU: 0 ', `CPU: ${10 + i} `)
      .replace('"kworker/0:1"', `"kworker/${10 + i}:1"`));
  }
  const a = analyze([...lines.slice(0, end), ...extra, ...lines.slice(end)].join('\n'));
  const f = findingOf(a, ID)!;
  assert.ok(f);
  const ipi = f.blockingChain.filter((l) => l.primitive === 'ipi');
  assert.equal(ipi.length, 16);
  assert.equal(ipi[0]!.task, 'kworker/0:1:2635', 'the first waiter in paste order stays first');
  // after the waiters: the other CPU spinning on bfqd->lock, then the self-deadlocked CPU last
  assert.deepEqual(f.blockingChain.slice(16).map((l) => l.task), ['kworker/2:1H:491', 'fio:2861', 'fio:2857']);
  assert.equal(f.suspectLock!.holder, 'fio:2857');
});

test('CONFIG_DEBUG_SPINLOCK "spinlock recursion" (owner = current) from a softirq over process context holding it: same mechanism, lock from spin_dump', () => {
  const a = analyze(fx('debug-recursion-usb-serial-softirq-6.6.txt'));
  assert.equal(a.family, 'spinlock_recursion_or_lockup');
  const f = a.findings[0]!;
  assert.equal(f.pattern, ID);
  assert.equal(f.suspectLock!.address, 'ffff8f0e53a2b0d8');
  assert.equal(f.suspectLock!.holder, 'kworker/2:1:5121');
  assert.equal(f.cycle, true);
  assert.ok(f.keyFrames.includes('usbx_flush_fifo') && f.keyFrames.includes('usbx_read_bulk_callback'), f.keyFrames.join(','));
  assert.match(f.blockingChain.at(-1)!.evidence ?? '', /debug spinlock check/);
  // the same report where the owner is another task is not a re-entry (spinlock-debug names that owner)
  const other = analyze(fx('debug-recursion-usb-serial-softirq-6.6.txt').replace('.owner: kworker/2:1/5121', '.owner: usbx-poll/733'));
  assert.equal(other.findings.some((x) => x.pattern === ID), false);
  // interrupts were off in the interrupted code (EFLAGS without IF): the interrupt could not have come in there
  const irqsOff = analyze(fx('debug-recursion-usb-serial-softirq-6.6.txt').replace('EFLAGS: 00000246', 'EFLAGS: 00000046'));
  assert.equal(irqsOff.findings.some((x) => x.pattern === ID), false);
});

test('console NMI dump: the registers before the trace are the interrupted softirq\'s; the process code it cut into works on the object embedding the lock (lock = R12 + 0x1a0): inferred, at lower confidence; another task with the lock\'s own address in its registers undoes the inference', () => {
  const text = fx('can-softirq-nmi-embedded-lock-6.6.txt');
  const a = analyze(text);
  // the pre-trace RIP (NMI-interrupted code) belongs to the <IRQ> segment, not to the all-"?" NMI one
  const t = a.tasks.find((x) => x.pid === 2214)!;
  assert.ok(t.frames.includes('mcp25xxfd_rx_poll'));
  const f = findingOf(a, ID)!;
  assert.ok(f, a.findings.map((x) => x.pattern).join(', '));
  assert.equal(a.findings[0], f);
  assert.equal(f.suspectLock?.address, 'ffff8f2e45b209a0');
  assert.equal(f.suspectLock?.holder, 'canconfig:2214');
  assert.equal(f.confidence, 0.75, 'a pointer to the embedding object is weaker than the lock\'s own address (0.93)');
  assert.match(f.blockingChain.at(-1)!.evidence ?? '', /pointer to the object that embeds the lock in RBX \(\+0x1a0\)\/R12 \(\+0x1a0\)/);
  // a second CPU working with the lock's own address in a register: that one is the likelier holder
  const other = [
    '[ 2210.771620] NMI backtrace for cpu 3',
    '[ 2210.771622] CPU: 3 PID: 2301 Comm: candump Tainted: G           O       6.6.31 #1',
    '[ 2210.771624] RIP: 0010:mcp25xxfd_read_fifo+0x3a/0x120 [mcp25xxfd]',
    '[ 2210.771626] RSP: 0018:ffffa1b8c2c3bd10 EFLAGS: 00000086',
    '[ 2210.771628] RAX: 0000000000000000 RBX: ffff8f2e45b209a0 RCX: 0000000000000000',
    '[ 2210.771630] Call Trace:',
    '[ 2210.771632]  <TASK>',
    '[ 2210.771634]  mcp25xxfd_ioctl+0x51/0x90 [mcp25xxfd]',
    '[ 2210.771636]  </TASK>',
  ];
  assert.equal(findingOf(analyze([text, ...other].join('\n')), ID), undefined);
});

test('32-bit arm: the "Exception stack(...)" words before each "(__irq_svc) from" line are the interrupted code\'s registers (r0 first, cpsr 17th): r0 still holds the lock the timer softirq spins on, and its I bit is clear', () => {
  const text = fx('arm32-exception-stack-can-softirq-4.19.txt');
  const f = findingOf(analyze(text), ID)!;
  assert.ok(f);
  assert.equal(f.suspectLock?.address, 'd8c1e5a0');
  assert.equal(f.suspectLock?.holder, 'canlogger:655');
  assert.match(f.blockingChain.at(-1)!.evidence ?? '', /spins on d8c1e5a0 \(r0\) while the process context it interrupted is inside .*mcp251x_hw_tx with the lock address still in R0\/R4; interrupted flags have interrupts enabled/);
  // the same words with the I bit set in cpsr (0x93: IRQs masked): the interrupt could not have come in there
  const masked = text.replace('[ 3310.355390] 5e60: 20000013 ffffffff', '[ 3310.355390] 5e60: 20000093 ffffffff');
  assert.equal(findingOf(analyze(masked), ID), undefined);
});
