// syzkaller titles of the crash reports that are not hangs (GPF, NULL dereference, KASAN/KMSAN/
// KCSAN/KFENCE, BUG_ON, WARNING, kernel panic messages, arm die() banners and the other BUG:/INFO:
// kinds), following google/syzkaller pkg/report/linux.go's formats and skip lists, and the title
// clean-up of pkg/report/report.go (addresses, numbers and "+0x.../0x..." offsets are not stable).
// Only the header line and the report's own lines (syz-walk.ts reportText) are read; every regex is
// anchored on literals and uses bounded quantifiers.

import { CALL_TRACE, RIP_RE, first, headerFrom, lockdepAt, pick, type Part, type SyzTitle } from './syz-walk.ts';
import { stallFrame } from './syz-frames.ts';

const withFrame = (prefix: string, frame: string, suffix = ''): SyzTitle =>
  ({ title: prefix + frame + suffix, frame: frame === 'corrupted' ? null : frame });
const fixed = (title: string): SyzTitle => ({ title, frame: null });
const TRACE: Part[] = [CALL_TRACE, 'stack'];
const RIP_TRACE: Part[] = [RIP_RE, CALL_TRACE, 'stack'];
// {{PC}} {{FUNC}}: "[<ffffffff834dea24>] ipmr_mfc_seq_stop+0xe4/0x140"
const PC_FUNC = /\[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,8}([A-Za-z0-9_]{1,256})[.+]/;
// {{SRC}}: "net/core/filter.c:1917"; only the dot, extension and line number need to be seen
const SRC_RE = /[\w\-/.]\.[a-z]{1,10}:\d/;

/** A line after the header that matches `re` (syzkaller's "header(?:.*\n)+?.*re" report regexps). */
function laterLine(text: readonly string[], re: RegExp): RegExpExecArray | null {
  for (let j = 1; j < text.length; j++) {
    const m = re.exec(text[j]!);
    if (m) return m;
  }
  return null;
}

// pkg/report/report.go dynamicTitleReplacement: what varies between two runs of the same bug.
// The title is at most a few hundred characters, so the bounded repetitions cover it.
export function sanitizeTitle(raw: string): string {
  let t = raw.length > 400 ? raw.slice(0, 400) : raw;
  t = t.replace(/syz-executor\.?[0-9]{1,10}(?:[/:][0-9]{1,10})?/g, 'syz-executor');
  t = t.replace(/syzkaller[0-9]{1,10}(?:[/:][0-9]{1,10})?/g, 'syzkaller');
  t = t.replace(/([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,64}/g, '$1ADDR');
  t = t.replace(/([^a-zA-Z0-9])(?:[0-9]{1,3}\.){3}[0-9]{1,3}/g, '$1IP');
  t = t.replace(/(\.\w{1,64})(?::[0-9]{1,10}){1,4}/g, '$1:LINE');
  t = t.replace(/([a-zA-Z][a-zA-Z0-9_.]{0,255})\+0x[0-9a-z]{1,16}\/0x[0-9a-z]{1,16}/g, '$1');
  t = t.replace(/CPU#[0-9]{1,5}/g, 'CPU');
  // a decimal number between non-word characters ("(0,0)", "age=624"); digits inside names stay
  t = t.replace(/(?<=\W)\d{1,30}(?=\W|$)/g, 'NUM');
  t = t.replace(/\d{7,40}/g, 'NUM');
  return t.trim();
}

// x86 WARNINGs trap and print "RIP:"; powerpc's program check prints "--- interrupt: 700 at FUNC+0x..."
const WARN_AT = new RegExp(`${RIP_RE.source}|--- interrupt: [0-9]{1,5} at ([A-Za-z0-9_]{1,256})[.+]`);

/** WARNINGs: a RIP line then its frames, else the Call Trace (warningStackFmt). */
function warningFrame(text: readonly string[], skip: readonly string[]): string {
  const f = pick(text, [WARN_AT, 'stack'], skip, first);
  return f === 'corrupted' ? pick(text, TRACE, skip, first) : f;
}

// WARNING()s inside well-known helpers get the helper's bug class and skip the helper's frames.
// Matched against at most 300 characters of the header, so the bounded gaps stay cheap.
const WARNING_CLASSES: Array<[RegExp, string, string[]]> = [
  [/lib\/debugobjects\.c.{0,300} (?:debug_print|debug_check|at)/, 'WARNING: ODEBUG bug in ', ['debug_', 'rcu', 'hrtimer_', 'timer_', 'work_', 'percpu_', 'vunmap', 'vfree', '__free_', 'debug_check', 'kobject_']],
  [/mm\/usercopy\.c.{0,300} (?:usercopy_warn|at)/, 'WARNING: bad usercopy in ', ['usercopy', '__check']],
  [/lib\/kobject\.c.{0,300} (?:kobject_|at)/, 'WARNING: kobject bug in ', ['kobject_']],
  [/fs\/proc\/generic\.c.{0,300} (?:proc_register|at)/, 'WARNING: proc registration bug in ', ['proc_']],
  [/lib\/refcount\.c.{0,300} (?:refcount_|at)/, 'WARNING: refcount bug in ', ['refcount', 'kobject_']],
  [/kernel\/locking\/lockdep\.c.{0,300}lock_/, 'WARNING: locking bug in ', ['lock_sock', 'release_sock']],
  [/mm\/.{0,300}\.c.{0,300} k?.?malloc/, 'WARNING: kmalloc bug in ', ['kmalloc', 'krealloc', 'slab', 'kmem']],
  // mm/vmalloc.c warns on a zero-size __vmalloc_node_range(): the caller asked for 0 bytes
  [/mm\/vmalloc\.c.{0,300}__vmalloc_node/, 'WARNING: zero-size vmalloc in ', []],
];

// The WARNING shapes that carry a source location: "WARNING: CPU: 0 PID: 1 at mm/x.c:12 fn+0x1/0x2",
// "WARNING: mm/x.c:12 at fn+0x1/0x2, CPU#0: comm/1" (v6.x), "WARNING: [cond] io_uring/io_uring.c:3026
// at fn+0x...": the title names the first frame of the trap, not the header's function.
const WARNING_SRC = [
  / at [\w\-/.]{1,200}\.[a-z]{1,3}:\d{1,7} /,
  /^WARNING: [\w\-/.]{1,200}\.[a-z]{1,3}:\d{1,7} at /,
  /^WARNING: \[[^\]]{0,200}\] [\w\-/.]{1,200}\.[a-z]{1,3}:\d{1,7} at /,
];

function warningTitle(text: readonly string[], head: string): SyzTitle | null {
  const w = head.slice(Math.max(0, head.indexOf('WARNING: ')), 300 + Math.max(0, head.indexOf('WARNING: ')));
  if (!WARNING_SRC.some((re) => re.test(w))) return null;
  for (const [re, prefix, skip] of WARNING_CLASSES) if (re.test(w)) return withFrame(prefix, warningFrame(text, skip));
  if (/ usb_submit_urb/.test(w)) {
    return withFrame('WARNING in ', warningFrame(text, ['usb_submit_urb', 'usb_start_wait_urb', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_control_msg']), '/usb_submit_urb');
  }
  return withFrame('WARNING in ', warningFrame(text, []));
}

/** kernel/locking/lockdep.c reports that are not deadlocks (the detector's lockdep_other kind). */
export function lockdepOtherTitle(text: readonly string[], head: string): SyzTitle {
  const marker = head.includes('WARNING:') ? 'WARNING:' : 'BUG:';
  const fallback = fixed(sanitizeTitle(headerFrom(head, marker)));
  if (head.includes('lock held when returning to user space')) {
    // lockdep_sys_exit(): "... is leaving the kernel with locks still held!", then the held locks'
    // "#0: ... at: FUNC" lines; the first one names the lock taken and not released
    let k = 1;
    for (; k < text.length && !text[k]!.includes('leaving the kernel with locks still held'); k++);
    for (let j = k + 1; j < text.length; j++) {
      const m = /at: (?:\[<?(?:0x)?[0-9a-f]{1,16}>?\] {1,8})?([A-Za-z0-9_]{1,256})[.+]/.exec(text[j]!);
      if (m) return withFrame(`${marker} lock held when returning to user space in `, m[1]!);
    }
    return fallback;
  }
  if (head.includes('bad unlock balance')) {
    // linux.go: the first "[<pc>] FUNC" (the release site, printed after "is trying to release
    // lock ... at:"), then the Call Trace; lock_release and __might_fault are skipped like any frame
    return withFrame(`${marker} bad unlock balance in `, pick(text, [PC_FUNC, CALL_TRACE, 'stack'], [], first));
  }
  if (head.includes('Nested lock was not taken')) {
    // print_lock_nested_lock_not_held(): a WARNING-shaped stack
    return withFrame('WARNING: nested lock was not taken in ', warningFrame(text, []));
  }
  const what = head.includes('held lock freed') ? 'held lock freed' : head.includes('still has locks held') ? 'still has locks held' : null;
  if (!what) return fallback;
  const fn = lockdepAt(text, '', true);
  return fn ? withFrame(`${marker} ${what} in `, fn) : fallback;
}

/** "Kernel panic - not syncing: ..." (kernel/panic.c panic()), titled by the message. */
export function panicTitle(text: readonly string[], head: string): SyzTitle {
  let msg = headerFrom(head, 'Kernel panic - not syncing').slice(26).replace(/^:\s?/, '').trim();
  // crash's `sys` quotes the panic string (PANIC: "Kernel panic - not syncing: ..."): no closing quote in the title
  if (head.includes('"Kernel panic - not syncing') && msg.endsWith('"')) msg = msg.slice(0, -1).trimEnd();
  if (msg.startsWith('stack-protector:')) {
    // __stack_chk_fail(): "stack-protector: Kernel stack is corrupted in: FUNC+0x.../0x..."; when the
    // kernel printed only an address, the caller of __stack_chk_fail in the Call Trace names it
    const fn = /Kernel stack is corrupted in: ([A-Za-z0-9_]{1,256})[.+]/.exec(msg);
    if (fn) return withFrame('kernel panic: stack is corrupted in ', fn[1]!);
    if (/Kernel stack is corrupted in: [a-f0-9]/.test(msg)) return withFrame('kernel panic: stack is corrupted in ', pick(text, TRACE, ['stack_chk'], first));
  }
  // schedule_debug(): the stack end magic was overwritten; the looping code, as for stalls, names it
  if (msg.startsWith('corrupted stack end detected inside scheduler')) {
    return withFrame('kernel panic: corrupted stack end in ', pick(text, TRACE, ['schedule', 'retint_kernel'], stallFrame));
  }
  // arm64 handle_bad_stack() / x86 handle_stack_overflow()
  if (msg.startsWith('kernel stack overflow')) return withFrame('kernel stack overflow in ', pick(text, TRACE, ['bad_stack'], stallFrame));
  if (msg.startsWith('Attempted to kill init!')) return fixed('kernel panic: Attempted to kill init!');
  if (/^Couldn't open N_TTY ldisc for \S{1,64} --- error -\d/.test(msg)) return fixed("kernel panic: Couldn't open N_TTY ldisc");
  // printed after an oops / a WARNING / a hung task: the report itself was lost
  if (msg.startsWith('Fatal exception')) return fixed('kernel panic: Fatal exception');
  if (msg.startsWith('panic_on_warn set')) return fixed('kernel panic: panic_on_warn set');
  if (msg.startsWith('hung_task: blocked tasks')) return fixed('kernel panic: hung_task: blocked tasks');
  return fixed(sanitizeTitle(`kernel panic: ${msg}`));
}

// BUG: KMSAN reports print the access stack right after the header, then the origin
// ("Uninit was created at:" / "Local variable ... created at:"); linux.go reads both.
const KMSAN_PARTS: Part[] = ['stack', /Local variable .{0,300} created at:|Uninit was created at:/, 'stack'];

function bugTitle(text: readonly string[], head: string): SyzTitle | null {
  const b = head.slice(head.indexOf('BUG'));
  if (/^BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in /.test(b)) {
    return withFrame('KASAN: invalid-free in ', pick(text, [/BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in ([A-Za-z0-9_]{1,256})[.+]/, CALL_TRACE, 'stack'], ['slab_', 'kfree', 'vunmap', 'vfree'], first));
  }
  const kasan = /^BUG: KASAN: ([a-z-]{1,40}) in [A-Za-z0-9_]{1,256}[.+]/.exec(b);
  if (kasan) {
    const rw = laterLine(text, /(Read|Write) (?:of size|at addr) [0-9a-f]/)?.[1];
    if (rw) {
      return withFrame(`KASAN: ${kasan[1]} ${rw} in `, pick(text, [/BUG: KASAN: [a-z-]{1,40} in ([A-Za-z0-9_]{1,256})[.+]/, CALL_TRACE, 'stack'],
        ['kernel_fault', 'tag_check', 'mem_abort', '^el1_', '^el1h_'], first));
    }
  }
  const onAddr = /^BUG: KASAN: ([a-z-]{1,40}) on address/.exec(b);
  if (onAddr) {
    const rw = laterLine(text, /(Read|Write) of size \d/)?.[1];
    if (rw) return fixed(`KASAN: ${onAddr[1]} ${rw}`);
  }
  // linux.go marks the rest corrupted and keeps the header's words
  if (b.startsWith('BUG: KASAN: ')) return fixed(sanitizeTitle(`KASAN: ${b.slice(12)}`));
  if (b.startsWith('BUG: KMSAN: kernel-usb-infoleak')) {
    return withFrame('KMSAN: kernel-usb-infoleak in ', pick(text, KMSAN_PARTS,
      ['alloc_skb', 'usb_submit_urb', 'usb_start_wait_urb', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_control_msg'], first));
  }
  const kmsan = /^BUG: KMSAN: ([a-z-]{1,40}) in /.exec(b);
  if (kmsan) {
    // generic crypto code is where the uninit value is used, not where the bug is
    return withFrame(`KMSAN: ${kmsan[1]} in `, pick(text, KMSAN_PARTS,
      ['alloc_skb', 'netlink_ack', 'netlink_rcv_skb', '_encrypt$', '^(?:crypto|cipher|drbg|rng)_'], first));
  }
  // KCSAN names both racing functions in its header: the header is the title
  if (b.startsWith('BUG: KCSAN: ')) return fixed(sanitizeTitle(`KCSAN: ${b.slice(12)}`));
  // mm/kfence/report.c: "BUG: KFENCE: <use-after-free read|out-of-bounds write|invalid free|
  // invalid read|memory corruption> in FUNC", then the stack from the faulting function on
  const kfence = /^BUG: KFENCE: ([a-z -]{1,40}?) in [A-Za-z0-9_]{1,256}[.+]/.exec(b);
  if (kfence) {
    return withFrame(`KFENCE: ${kfence[1]} in `, pick(text, [/BUG: KFENCE: [a-z -]{1,40} in ([A-Za-z0-9_]{1,256})[.+]/, 'stack'], [], first));
  }
  const lock = /^BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|cpu recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)/.exec(b);
  if (lock) return withFrame(`BUG: ${lock[1]} ${lock[2]} in `, pick(text, TRACE, ['spin_', '_lock', '_unlock'], first));
  // mm/ accounting checks at exit_mmap()/check_mm(): no useful stack
  for (const m of ['BUG: Bad rss-counter state', 'BUG: non-zero nr_ptes on freeing mm', 'BUG: non-zero nr_pmds on freeing mm', 'BUG: Bad page map']) {
    if (b.startsWith(m)) return fixed(m);
  }
  // fs/dcache.c umount_check(): the filesystem and block device names are left out (loop0/1/2)
  if (/^BUG: Dentry .{0,300} still in use \(\d{1,10}\) \[unmount of [^\]]{1,100}\]/.test(b)) return fixed('BUG: Dentry still in use in unmount');
  // mm/page_alloc.c bad_page(): the page_owner allocation stack names the user of the page
  const page = /^BUG: Bad page (state|cache)/.exec(b);
  if (page) {
    return withFrame(`BUG: Bad page ${page[1]} in `, pick(text, [/page last allocated/, 'stack'],
      ['(free|put|get|update|release)_page', 'free_unref', '^_*folio', 'truncate_inode_pages', 'page_frag_free', 'alloc', 'vmap', 'page_owner'], first));
  }
  // x86 handle_stack_overflow() (also "BUG: TASK stack guard page was hit at"): recursion, so named like a stall
  if (/^BUG: [A-Z]{0,10} ?stack guard page was hit at/.test(b)) {
    return withFrame('BUG: stack guard page was hit in ', pick(text, RIP_TRACE, [], stallFrame));
  }
  // lockdep's check_wait_context(); amd64 reports the same bug as a WARNING in lockdep.c, hence the title
  if (b.startsWith('BUG: Invalid wait context')) return withFrame('WARNING: locking bug in ', pick(text, TRACE, ['lock_sock', 'release_sock'], first));
  return null;
}

function infoTitle(text: readonly string[], head: string): SyzTitle | null {
  const i = head.slice(head.indexOf('INFO:'));
  if (i.startsWith('INFO: trying to register non-static key')) {
    return withFrame('INFO: trying to register non-static key in ', pick(text, TRACE, ['stack', 'lock', 'IRQ'], first));
  }
  // old SLUB debug output of a corrupted KASAN report: the header is the title
  const fa = /^INFO: (Freed|Allocated) in (.{1,200})/.exec(i);
  if (fa) return fixed(sanitizeTitle(`INFO: ${fa[1]} in ${fa[2]}`));
  return null;
}

/** lockdep_rcu_suspicious(): titled by the stack only when the report shows the "file.c:NN" line. */
function rcuTitle(text: readonly string[], head: string, p: 'WARNING' | 'INFO'): SyzTitle {
  if (!laterLine(text, SRC_RE)) return fixed(headerFrom(head, `${p}:`));
  return withFrame(`${p}: suspicious RCU usage in `, pick(text, TRACE, ['rcu', 'kmem', 'slab'], first));
}

function stackRegsTitle(head: string): SyzTitle | null {
  // arch/x86/kernel/unwind_frame.c bad-stack reports
  const regs = /WARNING: kernel stack regs at [0-9a-f]{1,16} in \S{0,64} has bad '([^']{1,16})' value/.exec(head);
  if (regs) return fixed(`WARNING: kernel stack regs has bad '${regs[1]}' value`);
  if (/WARNING: kernel stack frame pointer at [0-9a-f]{1,16} in \S{0,64} has bad value/.test(head)) return fixed('WARNING: kernel stack frame pointer has bad value');
  // with hashed pointers ("(ptrval)") both shapes share one title
  if (/WARNING: kernel stack regs .{0,200} has bad 'bp' value|WARNING: kernel stack frame pointer .{0,200} has bad value/.test(head)) {
    return fixed('WARNING: kernel stack regs has bad value');
  }
  return null;
}

export function oopsTitle(text: readonly string[], head: string): SyzTitle {
  const t = oopsTitleRaw(text, head);
  return { title: sanitizeTitle(t.title), frame: t.frame };
}

function oopsTitleRaw(text: readonly string[], head: string): SyzTitle {
  if (head.includes('general protection fault')) return withFrame('general protection fault in ', pick(text, RIP_TRACE, [], first));
  if (/BUG: (?:unable to handle kernel NULL pointer|kernel NULL pointer|Kernel NULL pointer)/.test(head)) {
    return withFrame('BUG: unable to handle kernel NULL pointer dereference in ', pick(text, RIP_TRACE, [], first));
  }
  if (/BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)/.test(head)) {
    return withFrame('BUG: unable to handle kernel paging request in ', pick(text, RIP_TRACE, [], first));
  }
  // x86 prints the second half of this header with another printk(): it can be lost
  if (/BUG: (?:unable to handle kernel|Unable to handle kernel)/.test(head)) return fixed('BUG: unable to handle kernel');
  const arm = /^Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)/.exec(head.slice(Math.max(0, head.indexOf('Unable to handle kernel'))));
  if (arm) return withFrame(`BUG: unable to handle kernel ${arm[1]} in `, pick(text, RIP_TRACE, [], first));
  if (head.includes('BUG:')) {
    const b = bugTitle(text, head);
    if (b) return b;
  }
  if (head.includes('kernel BUG at mm/usercopy.c')) return withFrame('BUG: bad usercopy in ', pick(text, TRACE, ['usercopy', '__check'], first));
  if (head.includes('kernel BUG at lib/list_debug.c')) return withFrame('BUG: corrupted list in ', pick(text, TRACE, [], first));
  // BUG_ON in an skb helper is almost always the caller's bug
  if (/kernel BUG at /.test(head)) return withFrame('kernel BUG in ', pick(text, RIP_TRACE, ['^skb_'], first));
  const pre = /BUG: using ([a-z_]{1,64})\(\) in preemptible/.exec(head);
  if (pre) {
    return withFrame(`BUG: using ${pre[1]}() in preemptible code in `,
      pick(text, TRACE, ['dump_stack', 'preemption', 'preempt', 'debug_', 'processor_id', 'this_cpu'], first));
  }
  if (head.includes('BUG: memory leak')) {
    return withFrame('memory leak in ', pick(text, [/backtrace(?: \(crc [0-9a-f]{0,16}\))?:/, 'stack'], ['kmemleak', 'mmap', 'kmem', 'slab', 'alloc',
      'create_object', 'idr_get', 'list_lru_init', 'kasprintf', 'kvasprintf', 'pcpu_create', 'strdup', 'strndup', 'memdup'], first));
  }
  if (head.includes('BUG: workqueue leaked lock or atomic')) {
    // "last function: isp_stream_work [vvcam_isp]" for a module's work function
    const last = text.map((l) => /last function: ([A-Za-z0-9_]{1,256})(?: \[[\w.-]{1,64}\])?$/.exec(l)?.[1]).find(Boolean);
    if (last) return { title: `BUG: workqueue leaked lock or atomic in ${last}`, frame: last };
  }
  // SLUB's "BUG kmalloc-8 (Tainted: G B): Object already free"
  if (/BUG kmalloc-.{0,200}: Object already free/.test(head)) return fixed('BUG: Object already free');
  if (head.includes('Kernel panic - not syncing')) return panicTitle(text, head);
  // x86 df_debug()/exc_double_fault(): only the RIP of the faulting code is trusted
  if (head.includes('PANIC: double fault')) return withFrame('PANIC: double fault in ', pick(text, [RIP_RE], [], first));
  if (head.includes('stack segment: ')) return withFrame('stack segment fault in ', pick(text, RIP_TRACE, [], first));
  if (/divide[ _]error: /.test(head)) return withFrame('divide error in ', pick(text, [RIP_RE], [], first));
  if (head.includes('invalid opcode: ')) return withFrame('invalid opcode in ', pick(text, [RIP_RE], [], first));
  const ub = /UBSAN: (.{1,60}?) in /.exec(head);
  if (ub) return withFrame(`UBSAN: ${ub[1] === 'Undefined behaviour' ? 'undefined-behaviour' : ub[1]} in `, pick(text, TRACE, ['ubsan', 'overflow'], first));
  const rcu = /(WARNING|INFO): .{0,200}suspicious RCU usage/.exec(head);
  if (rcu) return rcuTitle(text, head, head.includes('INFO:') ? 'INFO' : rcu[1] as 'WARNING' | 'INFO');
  if (head.includes('WARNING:')) {
    const w = warningTitle(text, head) ?? stackRegsTitle(head);
    if (w) return w;
  }
  if (head.includes('INFO:')) {
    const i = infoTitle(text, head);
    if (i) return i;
  }
  // arm die(): "Internal error: Oops: 96000004 [#1]", "Internal error: synchronous external abort";
  // 32-bit arm do_DataAbort(): "Unhandled fault: page domain fault (0x01b) at 0x00000e30"
  if (head.includes('Internal error:')) return withFrame('Internal error in ', pick(text, RIP_TRACE, [], first));
  if (head.includes('Unhandled fault:')) return withFrame('Unhandled fault in ', pick(text, RIP_TRACE, [], first));
  if (head.includes('Alignment trap:')) return withFrame('Alignment trap in ', pick(text, RIP_TRACE, [], first));
  const kbug = /Kernel BUG (.{1,200})/.exec(head);
  if (kbug) return fixed(`kernel BUG ${kbug[1]}`);
  for (const mk of ['BUG:', 'WARNING:', 'INFO:', 'UBSAN:', 'general protection fault', 'kernel BUG', 'divide error:', 'stack segment:', 'Unable to handle kernel']) {
    if (head.includes(mk)) return fixed(headerFrom(head, mk).slice(0, 200));
  }
  return fixed(head.trim().slice(0, 200));
}
