import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLockdownError } from '../../config/errors.ts';
import { toAttachment } from './attachment.ts';

const meta = { id: '1199', name: 'message.txt', size: 52_428_800, contentType: 'text/plain; charset=utf-8', url: 'https://cdn.discordapp.com/attachments/1/2/message.txt?ex=1' };

test('an endless upload is read only up to maxBytes + 1 and the transfer is cancelled', async () => {
  let cancelled = false;
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      pulls++;
      c.enqueue(new TextEncoder().encode('PID: 4790  TASK: ffff88003570de20  CPU: 1   COMMAND: "kworker/1:2"\n'));
    },
    cancel() {
      cancelled = true;
    },
  });
  const a = toAttachment(meta, async () => new Response(body));
  const got = await a.fetch(1000);
  assert.equal(got.byteLength, 1001);
  assert.ok(cancelled, 'the download is stopped once the limit is passed');
  assert.ok(pulls < 100);
  assert.match(Buffer.from(got).toString(), /^PID: 4790/);
});

test('the CDN refusing (expired link) is LD_ATTACHMENT with a line the user can act on', async () => {
  const a = toAttachment(meta, async () => new Response('expired', { status: 404 }));
  await assert.rejects(a.fetch(10), (e) => isLockdownError(e, 'LD_ATTACHMENT') && /HTTP 404/.test(e.message) && /paste it again/.test(e.userMessage));
});

test('a network failure is LD_ATTACHMENT too, never an unknown error', async () => {
  const a = toAttachment(meta, async () => {
    throw new TypeError('fetch failed');
  });
  await assert.rejects(a.fetch(10), (e) => isLockdownError(e, 'LD_ATTACHMENT') && /network error/.test(e.message));
});

test('metadata passes through: name, size and content type for the core to judge', () => {
  const a = toAttachment(meta, async () => new Response(''));
  assert.deepEqual([a.id, a.name, a.size, a.mimetype], ['1199', 'message.txt', 52_428_800, 'text/plain; charset=utf-8']);
});
