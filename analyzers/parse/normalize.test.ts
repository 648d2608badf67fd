import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LINE_CHARS, normalize } from './normalize.ts';
import { parse } from './parse.ts';

const texts = (s: string) => normalize(s).lines.map((l) => l.text);

test('keeps original 1-based line numbers while dropping fences and "-" separator lines', () => {
  const { lines } = normalize('intro\n```bash\ncrash> bt\n-\nPID: 1 TASK: ffff8800 CPU: 0 COMMAND: "x"\n```\n');
  assert.deepEqual(lines.map((l) => [l.no, l.text]), [
    [1, 'intro'],
    [3, 'crash> bt'],
    [5, 'PID: 1 TASK: ffff8800 CPU: 0 COMMAND: "x"'],
    [7, ''],
  ]);
});

test('decodes the HTML entities chat clients escape', () => {
  assert.deepEqual(texts('crash&gt; bt &lt;IRQ&gt; &amp;mm-&gt;mmap_lock &quot;a&quot; it&#39;s'), ['crash> bt <IRQ> &mm->mmap_lock "a" it\'s']);
});

test('strips Slack/markdown quoting but keeps the ">" that marks an active task in crash ps', () => {
  assert.deepEqual(texts('&gt; crash&gt; ps\n> > #0 [ffff88] schedule at ffffffff81\n| Call Trace:'), ['crash> ps', '#0 [ffff88] schedule at ffffffff81', 'Call Trace:']);
  assert.deepEqual(texts('>  2635      2   0  ffff92acd6cf17c0  RU   0.0       0      0  [kworker/0:1]'), ['> 2635 2 0 ffff92acd6cf17c0 RU 0.0 0 0 [kworker/0:1]']);
});

test('strips bullets before trace lines, not "- " in prose', () => {
  assert.deepEqual(texts('  • [  760.2] CPU: 0 PID: 1 Comm: x\n* #1 [ffff] f at ffff\n- a list item'), ['CPU: 0 PID: 1 Comm: x', '#1 [ffff] f at ffff', '- a list item']);
});

test('turns "?" that stood for spaces back into spaces, and keeps the console "?" of unreliable frames (seed 001)', () => {
  const seed = [
    '  • [? 760.247221]? ? poke_int3_handler+0xe0/0xe0',
    '  • [? 760.247222]? on_each_cpu+0x28/0x60',
    '  • PID: 2635?? TASK: ffff92acd6cf17c0? CPU: 0?? COMMAND: "kworker/0:1"',
    '  • ?#0 [ffff92adf5c03d48] machine_kexec at ffffffffbc05bf3e',
    '  • ??? [exception RIP: smp_call_function_many+492]',
    '  • ??? RBP: ffffffffbc027610?? R8: 000000000002f060',
    '  • ?//a note the author typed between frames',
  ].join('\n');
  assert.deepEqual(texts(seed), [
    '? poke_int3_handler+0xe0/0xe0',
    'on_each_cpu+0x28/0x60',
    'PID: 2635 TASK: ffff92acd6cf17c0 CPU: 0 COMMAND: "kworker/0:1"',
    '#0 [ffff92adf5c03d48] machine_kexec at ffffffffbc05bf3e',
    '[exception RIP: smp_call_function_many+492]',
    'RBP: ffffffffbc027610 R8: 000000000002f060',
  ]);
  // a clean paste keeps its question marks
  assert.deepEqual(texts('[  1.0]  ? poke_int3_handler+0xe0/0xe0\nwhy?? it hangs'), ['? poke_int3_handler+0xe0/0xe0', 'why?? it hangs']);
});

test('drops a line-number gutter printed as its own block, and strips "12 | " gutters (seed 003)', () => {
  const gutterBlock = ['1', '2', '3', 'PID: 1 TASK: ffff8800 CPU: 0 COMMAND: "a"', '#0 [ffff] schedule at ffffffff81'].join('\n');
  assert.deepEqual(normalize(gutterBlock).lines.map((l) => l.no), [4, 5]);
  assert.deepEqual(texts(' 12 | #0 [ffff] schedule at ffff\n 13: #1 [ffff] io at ffff\n14: not a trace'), ['#0 [ffff] schedule at ffff', '#1 [ffff] io at ffff', '14: not a trace']);
  assert.deepEqual(texts('1. [<ffffffff810a6fec>] flush_workqueue+0x12c/0x5b0\n2. static bool f(void)'), ['[<ffffffff810a6fec>] flush_workqueue+0x12c/0x5b0', '2. static bool f(void)']);
});

test('removes timestamp, caller and syslog prefixes', () => {
  assert.deepEqual(
    texts('[  760.247152] watchdog: BUG\n[T1234] INFO: task\n[  760.2][C3] RIP: 0010:f+0x1/0x2\n<4>[ 1.5] Call Trace:\nNov 17 05:56:07 cpe kernel: Kernel panic\n[Tue Nov 17 05:56:07 2019] BUG: x'),
    ['watchdog: BUG', 'INFO: task', 'RIP: 0010:f+0x1/0x2', 'Call Trace:', 'Kernel panic', 'BUG: x'],
  );
  // journalctl -k -o short-precise: microseconds after the seconds
  assert.deepEqual(texts('Mar 02 14:02:05.774410 host kernel:  __flush_work+0x13b/0x1e0'), ['__flush_work+0x13b/0x1e0']);
});

test('handles CRLF, CR-only, tabs, NBSP and trailing "//" comments', () => {
  assert.deepEqual(texts('a\r\nb\tc\r\n'), ['a', 'b c', '']);
  assert.deepEqual(texts('a\rb'), ['a', 'b']);
  assert.deepEqual(texts('PID:\u00a02\u00a0TASK'), ['PID: 2 TASK']);
  assert.deepEqual(texts('root 4790 0.0 0.0 0 0 ? D Feb25 0:01 [kworker/1:2]\t//stuck\nhttp://example.org/x'), ['root 4790 0.0 0.0 0 0 ? D Feb25 0:01 [kworker/1:2]', 'http://example.org/x']);
});

test('joins a frame line a chat client wrapped, and nothing else', () => {
  assert.deepEqual(texts('#5 [ffff92adf5c43e38] native_queued_spin_lock_slowpath at\nffffffffbc111190\n#6 [ffff] f at ffff'), ['#5 [ffff92adf5c43e38] native_queued_spin_lock_slowpath at ffffffffbc111190', '#6 [ffff] f at ffff']);
  assert.deepEqual(texts('[<ffffffff810a6fec>] flush_workqueue+0x12c/\n0x5b0'), ['[<ffffffff810a6fec>] flush_workqueue+0x12c/0x5b0']);
  assert.deepEqual(texts('PID: 12 TASK: ffff8800aa CPU: 3\nCOMMAND: "java"'), ['PID: 12 TASK: ffff8800aa CPU: 3 COMMAND: "java"']);
  assert.deepEqual(texts('some prose\nffffffffbc111190'), ['some prose', 'ffffffffbc111190']);
  assert.deepEqual(texts('#5 [ffff92adf5c43e38]\nnative_queued_spin_lock_slowpath at ffffffffbc111190'), ['#5 [ffff92adf5c43e38] native_queued_spin_lock_slowpath at ffffffffbc111190']);
  assert.deepEqual(texts('[<ffffffff810a6fec>]\nflush_workqueue+0x12c/0x5b0 [bsnmod]'), ['[<ffffffff810a6fec>] flush_workqueue+0x12c/0x5b0 [bsnmod]']);
  assert.deepEqual(texts('[<ffffffff810a6fec>]\nnot a frame'), ['[<ffffffff810a6fec>]', 'not a frame']);
});

test('cuts overlong lines and removes control bytes, with a note', () => {
  const res = normalize(`${'x'.repeat(MAX_LINE_CHARS * 3)}\nok\u0000\u0001`);
  assert.equal(res.lines[0].text.length, MAX_LINE_CHARS);
  assert.equal(res.lines[1].text, 'ok');
  assert.ok(res.notes.some((n) => n.includes('cut')));
  assert.ok(res.notes.some((n) => n.includes('control byte')));
  const bin = normalize(String.fromCharCode(...Array.from({ length: 4000 }, (_v, i) => i % 32)));
  assert.ok(bin.notes.some((n) => n.includes('binary')));
});

test('keeps the printk caller id of CONFIG_PRINTK_CALLER lines', () => {
  const { lines } = normalize('[  760.247152][T1234] INFO: task\n[   1.000000][    C3] NMI backtrace for cpu 3\nplain');
  assert.deepEqual(lines.map((l) => [l.text, l.ctx]), [['INFO: task', 'T1234'], ['NMI backtrace for cpu 3', 'C3'], ['plain', undefined]]);
});

test('a double-spaced paste loses its single blank lines, keeps a longer gap as one separator', () => {
  const text = ['PID: 1 TASK: ffff8800 CPU: 0 COMMAND: "a"', '#0 [ffff] schedule at ffff', '#1 [ffff] io at ffff', '#2 [ffff] x at ffff', '#3 [ffff] y at ffff', '', '', 'prose after', 'more prose'].join('\n\n');
  const res = normalize(text);
  assert.deepEqual(res.lines.map((l) => l.text), ['PID: 1 TASK: ffff8800 CPU: 0 COMMAND: "a"', '#0 [ffff] schedule at ffff', '#1 [ffff] io at ffff', '#2 [ffff] x at ffff', '#3 [ffff] y at ffff', '', 'prose after', 'more prose']);
  assert.ok(res.notes.some((n) => n.includes('double-spaced')));
  // ordinary paragraphs are not double spacing
  assert.deepEqual(texts('a\nb\n\nc\nd\ne\n\nf\ng'), ['a', 'b', '', 'c', 'd', 'e', '', 'f', 'g']);
});

test('a fence glued to the first or last trace line (chat) is removed, the line is kept', () => {
  assert.deepEqual(texts('```PID: 1 TASK: ffff8800 CPU: 0 COMMAND: "a"\n#0 [ffff] schedule at ffff```'), ['PID: 1 TASK: ffff8800 CPU: 0 COMMAND: "a"', '#0 [ffff] schedule at ffff']);
  assert.deepEqual(texts('```c\nint x;\n```'), ['int x;']);
  assert.deepEqual(texts('`crash> bt -a`\n`a` and `b`'), ['crash> bt -a', '`a` and `b`']);
});

test('continuation lines of a caller-id record take its caller id, at any indentation', () => {
  const pad = ' '.repeat(23);
  const log = [
    '[  318.402117][ T4471] first line',
    `${pad}continued (dmesg width)`,
    '[  318.402118][ T4471] ',
    `${' '.repeat(15)}after a bare prefix, 15 columns`,
    '[  318.402119][    C2] another CPU',
    '[  318.402120][ T4471] ',
    'unindented after a bare prefix',
    '> ' + pad + 'quoted and indented',
    '',
    `${pad}after a blank line`,
    'prose ends the record',
    '   indented prose after it',
  ].join('\n');
  assert.deepEqual(normalize(log).lines.map((l) => [l.text, l.ctx]), [
    ['first line', 'T4471'],
    ['continued (dmesg width)', 'T4471'],
    ['after a bare prefix, 15 columns', 'T4471'],
    ['another CPU', 'C2'],
    ['unindented after a bare prefix', 'T4471'],
    ['quoted and indented', 'T4471'],
    ['', undefined],
    ['after a blank line', 'T4471'],
    ['prose ends the record', undefined],
    ['indented prose after it', undefined],
  ]);
  // only the line right after a bare prefix may be unindented
  assert.deepEqual(normalize('[ 1.0][T9] \nfirst\nsecond').lines.map((l) => l.ctx), ['T9', undefined]);
});

test('a hung-task header or blocker line wrapped by a mail client or editor is joined; complete ones and other lines are left alone', () => {
  const m = parse([
    '> > [ 1843.201147] INFO: task kworker/u64:1:3312 blocked for more',
    '> > than 120 seconds.',
    '> > [ 1843.201190]       Not tainted 6.1.0-21-amd64 #1 Debian',
    '[ 1843.3] INFO: task lsusb:9120 is blocked on a mutex likely owned by task',
    'kworker/2:1:87.',
    '[ 1843.4] INFO: task rsync:22871 blocked for more than 120 seconds.',
    'than the last one',
  ].join('\n'));
  assert.deepEqual(m.reports.map((r) => [r.kind, r.pid, r.seconds]), [['hung_task', 3312, 120], ['hung_task', 22871, 120]]);
  assert.equal(m.reports[0]!.blocker, null, "lsusb's blocker line is not kworker's");
  const blocker = parse(['INFO: task lsusb:9120 blocked for more than 122 seconds.', 'INFO: task lsusb:9120 is blocked on a mutex likely owned by task', 'kworker/2:1:87.'].join('\n'));
  assert.deepEqual(blocker.reports[0]!.blocker && [blocker.reports[0]!.blocker.ownerComm, blocker.reports[0]!.blocker.ownerPid], ['kworker/2:1', 87]);
});

test('a line-number gutter ended by a tab (cat -n, Jira or GitHub code blocks) is dropped; numbers separated by spaces are the trace\'s own', () => {
  assert.deepEqual(texts(' 1\tcrash> ps | grep dmsetup\n 2\t  28871  28866   9  ffff8817e5c2a0e0  IN   0.0   26880   3212  dmsetup\n    10\t #3 [ffff8817c3b4fd20] dm_wait_for_completion at ffffffffc01f2ab5 [dm_mod]'), [
    'crash> ps | grep dmsetup',
    '28871 28866 9 ffff8817e5c2a0e0 IN 0.0 26880 3212 dmsetup',
    '#3 [ffff8817c3b4fd20] dm_wait_for_completion at ffffffffc01f2ab5 [dm_mod]',
  ]);
  assert.deepEqual(texts('  28871  28866   9  ffff8817e5c2a0e0  IN   0.0\tdmsetup'), ['28871 28866 9 ffff8817e5c2a0e0 IN 0.0 dmsetup']);
});

test('terminal logs: ANSI colour and title sequences are dropped and backspaces applied; journalctl -o json records give their MESSAGE', () => {
  assert.deepEqual(texts('\x1b]0;root@h: ~\x07\x1b[01;32mroot@h\x1b[00m:~# dmsg\b\x1b[K\b\x1b[Kesg\r\n\x1b[32m[  604.950373]\x1b[0m \x1b[33mINFO: \x1b[0m\x1b[31mtask kworker/u8:3:64 blocked for more than 122 seconds.\x1b[0m\r'), [
    'root@h:~# dmesg',
    'INFO: task kworker/u8:3:64 blocked for more than 122 seconds.',
  ]);
  const rec = (msg: unknown): string => JSON.stringify({ __CURSOR: 's=a41e;i=bc54', PRIORITY: '3', _TRANSPORT: 'kernel', MESSAGE: msg });
  const { lines } = normalize([rec('INFO: task evtest:2417 blocked for more than 122 seconds.'), rec(' input_close_device+0x4c/0x90'), rec([0x20, 0x5f, 0x5f, 0x73, 0x63, 0x68, 0x65, 0x64, 0x75, 0x6c, 0x65, 0x2b, 0x30, 0x78, 0x31, 0x2f, 0x30, 0x78, 0x32]), '{"not": "a journal record"}'].join('\n'));
  assert.deepEqual(lines.map((l) => [l.no, l.text]), [
    [1, 'INFO: task evtest:2417 blocked for more than 122 seconds.'],
    [2, 'input_close_device+0x4c/0x90'],
    [3, '__schedule+0x1/0x2'],
    [4, '{"not": "a journal record"}'],
  ]);
});
