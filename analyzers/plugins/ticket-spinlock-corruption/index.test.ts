import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyze.ts';
import { findingOf, readFixture, readPlain, readSeed } from '../../../test/helpers/fixture-reader.ts';
import { decodeSpinlock, ticketVerdict } from './decode.ts';
import type { StructDump } from '../../model/trace-model.ts';

const ID = 'ticket-spinlock-corruption';
const fx = (n: string) => readFixture(import.meta.url, n);
const dump = (fields: Record<string, string>): StructDump => ({ type: 'spinlock_t', address: 'ffff881054610960', fields, line: 1, endLine: 2 });

test('2.6.32 slock: 65537 = Next 1 | Owner 1; one spinner means its ticket 0 is behind Owner', () => {
  const d = decodeSpinlock(dump({ slock: '65537' }));
  assert.equal(d.kind, 'ticket-slock');
  assert.deepEqual([d.next, d.owner, d.outstanding], [1, 1, 0]);
  assert.equal(ticketVerdict(d, 1)!.corrupt, true);
  assert.match(ticketVerdict(d, 1)!.why, /ticket 0 is behind Owner 1/);
});

test('held lock with waiters is consistent: Next - Owner covers holder and spinners', () => {
  const d = decodeSpinlock(dump({ slock: String((7 << 16) | 5) }));
  assert.equal(d.outstanding, 2);
  assert.equal(ticketVerdict(d, 1)!.corrupt, false);
  assert.equal(ticketVerdict(d, 0), null, 'no spinner, no verdict');
});

test('head/tail layout, and paravirt tickets counting by 2 with the slowpath flag in bit 0', () => {
  const d = decodeSpinlock(dump({ 'raw_lock.tickets.head': '3310', 'raw_lock.tickets.tail': '3308' }));
  assert.equal(d.kind, 'ticket-head-tail');
  assert.equal(ticketVerdict(d, 1)!.corrupt, true);
  assert.match(ticketVerdict(d, 1)!.why, /ahead of Next/);
  const pv = decodeSpinlock(dump({ 'tickets.head': '10', 'tickets.tail': '15' }), { pvTickets: true });
  assert.equal(pv.outstanding, 2);
});

test('qspinlock is decoded and never judged', () => {
  const d = decodeSpinlock(dump({ 'raw_lock.val.counter': '257', 'raw_lock.locked': '1', 'raw_lock.pending': '1' }));
  assert.equal(d.kind, 'qspinlock');
  assert.match(d.text, /not a ticket lock/);
  assert.equal(ticketVerdict(d, 3), null);
});

for (const [name, text] of [['seed 004 document', () => readSeed('004_789fb14b6ba577d5.txt')], ['seed 004 plain paste', () => readPlain('004')]] as const) {
  test(`${name}: CPU18 pid 12410 on spinlock_t ffff881054610960, slock 65537, the flush_tlb CPUs join`, () => {
    const a = analyze(text());
    assert.equal(a.findings[0]!.pattern, ID);
    const f = a.findings[0]!;
    assert.equal(f.suspectLock!.address, 'ffff881054610960');
    assert.equal(f.suspectLock!.holder, null, 'nobody holds a corrupted lock');
    assert.match(f.headline, /slock = 65537/);
    assert.equal(f.keyFrames[0], '_ctl_do_mpt_command');
    const spinner = f.blockingChain.at(-1)!;
    assert.deepEqual([spinner.task, spinner.heldBy], ['xxxx:12410', null]);
    assert.deepEqual(f.blockingChain.slice(0, -1).map((l) => [l.primitive, l.heldBy]), [['ipi', 'xxxx:12410'], ['ipi', 'xxxx:12410']]);
    assert.equal(f.caseId, 'mpt2sas-init-completion-ticket-corruption');
    assert.ok(f.nextSteps.includes('crash> spinlock_t ffff881054610960'));
    assert.ok(f.checklist.some((c) => /init_completion/.test(c)));
  });
}

test('3.x head/tail dump with Owner past tail under complete(): corruption, completion lock named', () => {
  const f = findingOf(analyze(fx('head-tail-3x-double-unlock.txt')), ID)!;
  assert.ok(f);
  assert.equal(f.suspectLock!.address, 'ffff881fe0a6c1d8');
  assert.equal(f.suspectLock!.name, 'completion wait.lock');
  assert.equal(f.caseId, null, 'not the mpt2sas case');
});

test('near misses: a consistent held ticket lock and a qspinlock give no corruption finding', () => {
  assert.equal(findingOf(analyze(fx('nearmiss-held-consistent.txt')), ID), undefined);
  assert.equal(findingOf(analyze(fx('qspinlock-no-verdict.txt')), ID), undefined);
});

test('qspinlock words are judged only by their byte values: slab poison in the locked/pending bytes is a freed lock; a -x dump is read as hex even without letters', () => {
  const paste = (dump: string[]): string => [
    'crash> bt -a',
    'PID: 5120   TASK: ffff9e1a4c2b0000  CPU: 3   COMMAND: "irq/41-nvme0q3"',
    ' #0 [fffffe0000087e38] crash_nmi_callback at ffffffff8e05b1b3',
    ' --- <NMI exception stack> ---',
    ' #4 [ffffb6b2c0a1bd48] native_queued_spin_lock_slowpath at ffffffff8e11a4c2',
    '    [exception RIP: native_queued_spin_lock_slowpath+98]',
    '    RIP: ffffffff8e11a4c2  RSP: ffffb6b2c0a1bd48  RFLAGS: 00000046',
    '    RAX: 0000000000000000  RBX: ffff9e1a53d0c2a8  RCX: 0000000000100000',
    '    RDX: 0000000000000000  RSI: 0000000000000000  RDI: ffff9e1a53d0c2a8',
    ' #5 [ffffb6b2c0a1bd70] _raw_spin_lock_irqsave at ffffffff8eb4e0b2',
    ' #6 [ffffb6b2c0a1bd90] nvmet_tcp_queue_response at ffffffffc0a4f2d1 [nvmet_tcp]',
    ...dump,
  ].join('\n');
  const poisoned = analyze(paste(['crash> struct qspinlock ffff9e1a53d0c2a8', 'struct qspinlock {', '  val = {', '    counter = 1802201963', '  }', '}']));
  const f = findingOf(poisoned, ID)!;
  assert.ok(f, poisoned.findings.map((x) => x.pattern).join(','));
  assert.match(f.suspectLock?.evidence ?? '', /locked byte 0x6b and pending byte 0x6b are impossible/);
  assert.match(f.checklist[0]!, /slab poison/);
  // 0x101 printed with -x is locked=1, pending=1: a held lock with a pending waiter, nothing to judge
  assert.equal(findingOf(analyze(paste(['crash> struct qspinlock -x ffff9e1a53d0c2a8', 'struct qspinlock {', '  val = {', '    counter = 0x101', '  }', '}'])), ID), undefined);
  // the same digits without -x are decimal 101 = 0x65 in the locked byte: not a lock word
  assert.ok(findingOf(analyze(paste(['crash> struct qspinlock ffff9e1a53d0c2a8', 'struct qspinlock {', '  val = {', '    counter = 101', '  }', '}'])), ID));
});
