// What is not a kernel trace must not turn into tasks: the console reports of the syzkaller corpus
// contain no crash or /proc output, and other languages' stack traces, shell sessions and prose
// give nothing to the crash/proc recognizers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { parse } from '../../analyzers/parse/parse.ts';

const CORPUS = '/work/shared/corpus/syzkaller-linux-report';
const MINE = new Set(['crash-bt', 'crash-ps', 'crash-sys', 'crash-struct', 'crash-rwsem-list', 'crash-rd', 'proc-stack', 'ps']);

test('syzkaller console reports are not read as crash or /proc output', { skip: !existsSync(CORPUS) && 'corpus not present' }, () => {
  const wrong: string[] = [];
  for (const f of readdirSync(CORPUS).filter((n) => n !== 'LICENSE')) {
    const m = parse(readFileSync(`${CORPUS}/${f}`, 'utf8'));
    const formats = m.formats.filter((x) => MINE.has(x));
    if (formats.length > 0) wrong.push(`${f}: ${formats.join(',')}`);
  }
  assert.deepEqual(wrong, []);
});

const notKernel: Record<string, string> = {
  java: `Exception in thread "main" java.lang.IllegalStateException: boom
\tat com.example.Service.run(Service.java:42)
\tat java.base/java.lang.Thread.run(Thread.java:833)`,
  python: `Traceback (most recent call last):
  File "/srv/app.py", line 12, in <module>
    main()
  File "/srv/app.py", line 8, in main
    raise RuntimeError("stuck")
RuntimeError: stuck`,
  go: `panic: runtime error: index out of range [3] with length 3

goroutine 1 [running]:
main.main()
\t/tmp/x.go:8 +0x1d
exit status 2`,
  shell: `$ ls -l /proc/1
total 0
dr-xr-xr-x 2 root root 0 Nov 24 04:00 attr
$ uptime
 04:00:01 up 3 days,  2:11,  1 user,  load average: 0.10, 0.20, 0.30`,
  prose: `Hi all — the nightly build hung again around 02:00.
1. restart the runner
2. re-run the job
- it's probably the disk
Thanks!`,
};

for (const [name, text] of Object.entries(notKernel)) {
  test(`${name} text gives no tasks and no crash/proc formats`, () => {
    const m = parse(text);
    assert.deepEqual(m.tasks, []);
    assert.deepEqual(m.formats.filter((x) => MINE.has(x)), []);
    assert.equal(m.sys, null);
    assert.deepEqual(m.structs, []);
  });
}
