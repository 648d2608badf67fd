// /proc/PID/stack and ps listings beyond seed 000: newer kernels' "[<0>]" frames, per-thread stacks,
// `ps -eo` with and without a header, ps output with trailing notes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../parse.ts';

test('newer kernels hide addresses ("[<0>]"); the pid comes from the cat line, per-thread paths too', () => {
  const m = parse(`$ sudo cat /proc/7714/task/7716/stack
[<0>] rwsem_down_write_slowpath+0x244/0x4d0
[<0>] down_write_killable+0x2b/0x40
[<0>] vm_mmap_pgoff+0x7d/0x120 [foo]
[<0>] do_syscall_64+0x5b/0x1b0
[<0>] entry_SYSCALL_64_after_hwframe+0x65/0xca

# cat /proc/812/stack
[<ffffffffc04d5a2e>] jbd2_log_wait_commit+0xae/0x120 [jbd2]
[<ffffffffffffffff>] 0xffffffffffffffff`);
  assert.deepEqual(m.tasks.map((t) => t.pid), [7716, 812]);
  const f = m.tasks[0].stack[0].frames;
  assert.deepEqual(f.map((x) => x.fn), ['rwsem_down_write_slowpath', 'down_write_killable', 'vm_mmap_pgoff', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe']);
  assert.equal(f[0].address, null);
  assert.equal(f[0].offset, 0x244);
  assert.equal(f[2].module, 'foo');
  assert.equal(m.tasks[1].stack[0].frames.length, 1, 'the 0xffffffffffffffff terminator is not a frame');
  assert.equal(m.tasks[1].stack[0].frames[0].address, 'ffffffffc04d5a2e');
});

test('ps -eo pid,stat,comm,wchan with a header; D tasks become tasks and merge with their /proc stack', () => {
  const m = parse(`# ps -eo pid,stat,comm,wchan
  PID STAT COMMAND         WCHAN
    1 Ss   systemd         ep_poll
  812 D    kworker/3:1     flush_work
 7714 Dl   mysqld          rwsem_down_write_slowpath
# cat /proc/812/stack
[<0>] flush_work+0x130/0x1e0`);
  assert.deepEqual(m.psRows.map((r) => [r.pid, r.state, r.comm]), [[1, 'S', 'systemd'], [812, 'D', 'kworker/3:1'], [7714, 'D', 'mysqld']]);
  const kw = m.tasks.find((t) => t.pid === 812);
  assert.equal(kw?.state, 'D');
  assert.equal(kw?.comm, 'kworker/3:1');
  assert.equal(kw?.stack[0].frames[0].fn, 'flush_work');
  assert.deepEqual(kw?.sources, ['ps', 'proc-stack']);
  assert.equal(m.tasks.filter((t) => t.pid === 812).length, 1);
});

test('ps aux without its header, kthreads in brackets, and notes after the command', () => {
  const m = parse(`root      4790  0.0  0.0      0     0 ?        D    Feb25   0:01 [kworker/1:2]\t//stuck here
mysql    31002  2.1 12.0 2345678 987654 ?      Dsl  Mar01  12:00 /usr/sbin/mysqld --basedir=/usr
root     22551  0.0  0.0 112712   964 pts/5    S+   14:08   0:00 grep --color=auto D
root      5102  0.0  0.0  22144  5200 pts/0    D+   13:59   0:00 -bash
root       611  0.0  0.1 116232 41120 ?        Ds   Mar01   0:09 /usr/lib/systemd/systemd-journald`);
  // the kernel's comm, not argv: a login shell's "-bash" is "bash", and comm is cut to 15 characters
  assert.deepEqual(m.psRows.map((r) => [r.pid, r.state, r.comm, r.kthread]), [[4790, 'D', 'kworker/1:2', true], [31002, 'D', 'mysqld', false], [22551, 'S', 'grep', false], [5102, 'D', 'bash', false], [611, 'D', 'systemd-journal', false]]);
  assert.deepEqual(m.tasks.map((t) => t.pid), [4790, 31002, 5102, 611]);
  assert.equal(m.tasks[0].kthread, true);
});

test('stacks gathered in a loop: `echo $p; cat /proc/$p/stack` and `grep -H . /proc/*/stack`', () => {
  const m = parse(`for p in $(pgrep -f fsck); do echo $p; cat /proc/$p/stack; done
3101
[<0>] io_schedule+0x12/0x40
[<0>] wait_on_page_bit+0x140/0x1f0
3102
[<0>] mutex_lock+0x21/0x40
# grep -H . /proc/*/stack
/proc/4001/stack:[<0>] rwsem_down_read_slowpath+0x1f0/0x4a0
/proc/4001/stack:[<0>] do_user_addr_fault+0x1f8/0x6a0
/proc/4002/stack:[<0>] ep_poll+0x2b3/0x3f0`);
  assert.deepEqual(m.tasks.map((t) => [t.pid, t.stack[0]?.frames.map((f) => f.fn)]), [
    [3101, ['io_schedule', 'wait_on_page_bit']],
    [3102, ['mutex_lock']],
    [4001, ['rwsem_down_read_slowpath', 'do_user_addr_fault']],
    [4002, ['ep_poll']],
  ]);
});

test('a loop that dresses up the pid it echoes ("== 2208", "--- 2209 ---", "pid 2210:") still names each stack', () => {
  const m = parse(`for p in $(pgrep -x nfsd); do echo "== $p"; cat /proc/$p/stack; done
== 2208
[<0>] svc_get_next_xprt+0x113/0x210 [sunrpc]
--- 2209 ---
[<0>] rwsem_down_write_slowpath+0x2d2/0x590
pid 2210:
[<0>] nfsd_setattr+0x2a0/0x4c0 [nfsd]
== not-a-pid
[<0>] kthread+0xdd/0x100`);
  assert.deepEqual(m.tasks.map((t) => [t.pid, t.stack[0]?.frames[0]?.fn]), [
    [2208, 'svc_get_next_xprt'],
    [2209, 'rwsem_down_write_slowpath'],
    [2210, 'nfsd_setattr'],
    [null, 'kthread'],
  ]);
});

test('ps with threads (-L: the TID is the task) and `ps axo stat,pid,comm | grep ^D` without its header', () => {
  const m = parse(`$ ps -eLo pid,tid,stat,wchan:32,comm
  PID   TID STAT WCHAN                            COMMAND
 7714  7714 Ssl  futex_wait_queue_me              mysqld
 7714  7716 D    rwsem_down_write_slowpath        mysqld
$ ps axo stat,pid,comm | grep ^D
D      812 kworker/3:1
D+    9001 cp`);
  assert.deepEqual(m.psRows.map((r) => [r.pid, r.state, r.comm]), [[7714, 'S', 'mysqld'], [7716, 'D', 'mysqld'], [812, 'D', 'kworker/3:1'], [9001, 'D', 'cp']]);
  assert.deepEqual(m.tasks.map((t) => t.pid), [7716, 812, 9001]);
});

test('a loop that echoes the comm after the pid ("== 214 kworker/3:2+events", "--- 2208 (nfsd) ---") names pid and comm; a worker loses its "+workqueue" suffix', () => {
  const m = parse(`for p in 214 2208; do echo "== $p $(cat /proc/$p/comm)"; cat /proc/$p/stack; done
== 214 kworker/3:2+events
[<0>] pci_reset_function+0x40/0x98
--- 2208 (nfsd) ---
[<0>] svc_get_next_xprt+0x113/0x210 [sunrpc]
== two words here
[<0>] kthread+0xdd/0x100`);
  assert.deepEqual(m.tasks.map((t) => [t.pid, t.comm, t.stack[0]?.frames[0]?.fn]), [
    [214, 'kworker/3:2', 'pci_reset_function'],
    [2208, 'nfsd', 'svc_get_next_xprt'],
    [null, null, 'kthread'],
  ]);
});

test('a busy worker\'s ps COMM carries its workqueue (cut at 15 characters): the task\'s comm is the bare worker name; a 6.9+ rescuer keeps its "R-" name', () => {
  const m = parse(['    PID STAT COMMAND', '    214 D    kworker/3:2+eve', '     98 D    kworker/R-rcu_g'].join('\n'));
  assert.deepEqual(m.psRows.map((r) => [r.pid, r.comm]), [[214, 'kworker/3:2'], [98, 'kworker/R-rcu_g']]);
});
