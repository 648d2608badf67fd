import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workqueueLockup } from './index.ts';
import { consoleFixture, runPlugin } from '../generic-helpers/test-support.ts';

test('workqueue lockup: the in-flight worker waits on a rw_semaphore for write; asleep, it is shown but not named as what stalls the pool', () => {
  const f = runPlugin(workqueueLockup, consoleFixture('workqueue-lockup-flush.txt')).findings[0]!;
  assert.equal(f.pattern, 'workqueue-lockup');
  // a sleeping worker lets the pool run another (concurrency management): it is not the pool's holder
  assert.deepEqual(f.blockingChain.map((l) => [l.task, l.primitive, l.heldBy]), [
    ['workqueue events', 'workqueue', null],
    ['kworker/3:1:2190', 'rwsem_write', null],
  ]);
  assert.match(f.blockingChain[0]!.evidence ?? '', /kworker\/3:1:2190 is asleep .* does not stall the pool by itself/);
  assert.ok(f.blockingChain[0]!.waitsOn.includes('vmstat_shepherd'));
  assert.equal(f.keyFrames[0], 'demo_health_check');
  assert.ok(f.nextSteps.some((s) => s.includes('rw_semaphore')));
});

test('a lockup line without the dump still gives a finding, with nothing invented', () => {
  const f = runPlugin(workqueueLockup, 'BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 31s!').findings[0]!;
  assert.equal(f.blockingChain.length, 1);
  assert.equal(f.blockingChain[0]!.heldBy, null);
  assert.deepEqual(f.keyFrames, []);
});

test('only a running in-flight worker is named; entries of pools the dump shows not hung are left out; with every worker asleep, the pool manager says whether a new worker could be made', () => {
  const dump = (workerFrames: string[], workerState: string): string => [
    'BUG: workqueue lockup - pool cpus=2 node=0 flags=0x0 nice=0 stuck for 44s!',
    'Showing busy workqueues and worker pools:',
    'workqueue events: flags=0x0',
    '  pwq 4: cpus=2 node=0 flags=0x0 nice=0 active=2/256 refcnt=3',
    '    in-flight: 7812:mlx5_fw_tracer_handle_traces',
    '    pending: vmstat_shepherd',
    'workqueue events_unbound: flags=0x2',
    '  pwq 16: cpus=0-7 flags=0x4 nice=0 active=1/512 refcnt=2',
    '    in-flight: 9001:flush_to_ldisc',
    'pool 4: cpus=2 node=0 flags=0x0 nice=0 hung=44s workers=2 manager: 7790',
    'pool 16: cpus=0-7 flags=0x4 nice=0 hung=0s workers=3 idle: 9010 9011',
    `task:kworker/2:1     state:${workerState} stack:0     pid:7812  ppid:2      flags:0x00004000`,
    'Call Trace:',
    ...workerFrames.map((f) => ` ${f}`),
    'task:kworker/2:0     state:D stack:0     pid:7790  ppid:2      flags:0x00004000',
    'Call Trace:',
    ' __schedule+0x3f1/0x1760',
    ' schedule+0x33/0x110',
    ' schedule_timeout+0x15d/0x170',
    ' wait_for_completion_killable+0x7e/0x140',
    ' __kthread_create_on_node+0xe4/0x1a0',
    ' kthread_create_on_node+0x46/0x70',
    ' create_worker+0xf0/0x1e0',
    ' worker_thread+0x29e/0x420',
  ].join('\n');
  const running = runPlugin(workqueueLockup, dump(['mlx5_fw_tracer_handle_traces+0x3a1/0x5d0 [mlx5_core]', 'process_one_work+0x192/0x350', 'worker_thread+0x2f7/0x420'], 'R')).findings[0]!;
  assert.deepEqual(running.blockingChain.filter((l) => l.primitive === 'workqueue').map((l) => [l.task, l.heldBy]), [['workqueue events', 'kworker/2:1:7812']]);
  const asleep = runPlugin(workqueueLockup, dump(['__schedule+0x3f1/0x1760', 'schedule+0x33/0x110', 'msleep+0x2d/0x40', 'mlx5_fw_tracer_handle_traces+0x3a1/0x5d0 [mlx5_core]', 'process_one_work+0x192/0x350'], 'D')).findings[0]!;
  const links = asleep.blockingChain.filter((l) => l.primitive === 'workqueue');
  assert.deepEqual(links.map((l) => [l.task, l.heldBy]), [['workqueue events', null], ['pool 4 (cpus=2)', null]]);
  assert.match(links[1]!.evidence ?? '', /manager is kworker\/2:0:7790, in create_worker/);
});

test('a ps listing pasted after the dump ends the console block: a worker it shows running (R) is named by its comm and ranks the lockup first', async () => {
  const { analyze } = await import('../../analyze.ts');
  const text = [
    '[ 9120.100100] BUG: workqueue lockup - pool cpus=5 node=0 flags=0x0 nice=0 stuck for 38s!',
    '[ 9120.100200] Showing busy workqueues and worker pools:',
    '[ 9120.100300] workqueue mm_percpu_wq: flags=0x8',
    '[ 9120.100400]   pwq 10: cpus=5 node=0 flags=0x0 nice=0 active=2/256 refcnt=4',
    '[ 9120.100500]     in-flight: 2231:vmstat_update',
    '[ 9120.100600]     pending: lru_add_drain_per_cpu BAR(611)',
    '[ 9120.100700] pool 10: cpus=5 node=0 flags=0x0 nice=0 hung=38s workers=2 idle: 2240',
    'root@edge-3:~# ps -o pid,stat,psr,time,comm -p 2231,611',
    '    PID STAT PSR     TIME COMMAND',
    '   2231 R      5 00:01:12 kworker/5:1+mm_percpu_wq',
    '    611 D      2 00:00:01 systemd-journal',
  ].join('\n');
  const a = analyze(text);
  const f = a.findings.find((x) => x.pattern === 'workqueue-lockup')!;
  assert.equal(a.findings[0], f);
  assert.equal(f.blockingChain[0]!.heldBy, 'kworker/5:1:2231');
  assert.match(f.blockingChain[0]!.evidence ?? '', /running \(state R, ps line 10\)/);
});
