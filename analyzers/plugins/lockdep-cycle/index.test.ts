import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../analyze.ts';
import { findingOf, readFixture } from '../../../test/helpers/fixture-reader.ts';

const ID = 'lockdep-cycle';
const fx = (n: string) => readFixture(import.meta.url, n);

test('two locks (6.x): the reporting task holds fw_lock and takes state_lock; the chain closes on it', () => {
  const a = analyze(fx('two-locks-console-6x.txt'));
  assert.equal(a.findings[0]!.pattern, ID);
  const f = a.findings[0]!;
  assert.deepEqual(f.blockingChain.map((l) => l.lock), ['ffff8881052a1270', 'ffff8881052a11e8']);
  assert.equal(f.blockingChain[0]!.task, 'kworker/u16:5:412');
  assert.equal(f.blockingChain.at(-1)!.heldBy, 'kworker/u16:5:412');
  assert.equal(f.blockingChain[0]!.primitive, 'mutex');
  assert.equal(f.cycle, true);
  assert.equal(f.suspectLock!.name, '&dev->state_lock');
});

test('three locks (4.19, hashed pointers): bd_mutex → disk_mutex → lo_ctl_mutex, no fake addresses', () => {
  const f = findingOf(analyze(fx('three-locks-console-4x.txt')), ID)!;
  assert.ok(f);
  assert.deepEqual(f.blockingChain.map((l) => l.lock), ['&bdev->bd_mutex', 'disk_mutex', '&lo->lo_ctl_mutex']);
  assert.equal(f.suspectLock!.address, null);
  assert.match(f.headline, /&bdev->bd_mutex → disk_mutex → &lo->lo_ctl_mutex → &bdev->bd_mutex/);
});

test('with hung tasks in the paste: the cycle ranks below them when no hung task runs its code, and stays first when one does', () => {
  const hung = (comm: string, pid: number, fns: string[]) => [
    `[ 4200.1] INFO: task ${comm}:${pid} blocked for more than 122 seconds.`,
    `[ 4200.1] task:${comm} state:D stack:0 pid:${pid} ppid:2 flags:0x00004000`,
    '[ 4200.1] Call Trace:',
    ...fns.map((f) => `[ 4200.1]  ${f}+0x10/0x100`),
  ];
  const splat = fx('two-locks-console-6x.txt');
  // another driver's task, blocked on its own mutex: the lockdep warning is a possibility, not this hang
  const other = analyze(`${splat}\n${hung('camd', 901, ['__schedule', 'schedule', '__mutex_lock', 'cam_stream_stop', 'cam_ioctl']).join('\n')}`);
  const cyc = findingOf(other, ID)!;
  assert.equal(cyc.confidence, 0.4);
  assert.match(cyc.headline, /not the one the hung tasks in this paste are in/);
  assert.notEqual(other.findings[0], cyc);
  // a task hung inside the report's own code (mydrv_fw_load, a dependency stack of the splat): the cycle explains it
  const same = analyze(`${splat}\n${hung('fwload', 902, ['__schedule', 'schedule', '__mutex_lock', 'mydrv_fw_load', 'mydrv_open']).join('\n')}`);
  assert.equal(findingOf(same, ID)!.confidence, 0.85);
  assert.equal(same.findings[0]!.pattern, ID);
});
