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
