// syzkaller titles of the crash reports that are not hangs (GPF, NULL dereference, KASAN, BUG_ON,
// WARNING and the other BUG:/INFO: kinds), following pkg/report/linux.go's formats and skip lists.

import { CALL_TRACE, RIP_RE, first, headerFrom, pick, type Part, type SyzTitle } from './syz-walk.ts';

const withFrame = (prefix: string, frame: string, suffix = ''): SyzTitle =>
  ({ title: prefix + frame + suffix, frame: frame === 'corrupted' ? null : frame });
const TRACE: Part[] = [CALL_TRACE, 'stack'];
const RIP_TRACE: Part[] = [RIP_RE, CALL_TRACE, 'stack'];

/** WARNINGs: a RIP line then its frames, else the Call Trace (warningStackFmt). */
function warningFrame(text: readonly string[], skip: readonly string[]): string {
  const f = pick(text, [RIP_RE, 'stack'], skip, first);
  return f === 'corrupted' ? pick(text, TRACE, skip, first) : f;
}

// WARNING()s inside well-known helpers get the helper's bug class and skip the helper's frames.
const WARNING_CLASSES: Array<[RegExp, string, string[]]> = [
  [/lib\/debugobjects\.c.* (?:debug_print|debug_check|at)/, 'WARNING: ODEBUG bug in ', ['debug_', 'rcu', 'hrtimer_', 'timer_', 'work_', 'percpu_', 'vunmap', 'vfree', '__free_', 'debug_check', 'kobject_']],
  [/mm\/usercopy\.c.* (?:usercopy_warn|at)/, 'WARNING: bad usercopy in ', ['usercopy', '__check']],
  [/lib\/kobject\.c.* (?:kobject_|at)/, 'WARNING: kobject bug in ', ['kobject_']],
  [/fs\/proc\/generic\.c.* (?:proc_register|at)/, 'WARNING: proc registration bug in ', ['proc_']],
  [/lib\/refcount\.c.* (?:refcount_|at)/, 'WARNING: refcount bug in ', ['refcount', 'kobject_']],
  [/kernel\/locking\/lockdep\.c.*lock_/, 'WARNING: locking bug in ', ['lock_sock', 'release_sock']],
  [/mm\/.*\.c.* k?.?malloc/, 'WARNING: kmalloc bug in ', ['kmalloc', 'krealloc', 'slab', 'kmem']],
];

export function oopsTitle(text: readonly string[], head: string): SyzTitle {
  if (head.includes('general protection fault')) return withFrame('general protection fault in ', pick(text, RIP_TRACE, [], first));
  if (/BUG: (?:unable to handle kernel NULL pointer|kernel NULL pointer|Kernel NULL pointer)/.test(head)) {
    return withFrame('BUG: unable to handle kernel NULL pointer dereference in ', pick(text, RIP_TRACE, [], first));
  }
  if (/BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)/.test(head)) {
    return withFrame('BUG: unable to handle kernel paging request in ', pick(text, RIP_TRACE, [], first));
  }
  const arm = /^Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)/.exec(head);
  if (arm) return withFrame(`BUG: unable to handle kernel ${arm[1]} in `, pick(text, RIP_TRACE, [], first));
  const free = /BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in /.test(head);
  if (free) {
    return withFrame('KASAN: invalid-free in ', pick(text, [/BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in ([A-Za-z0-9_]+)[.+]/, CALL_TRACE, 'stack'], ['slab_', 'kfree', 'vunmap', 'vfree'], first));
  }
  const kasan = /BUG: KASAN: ([a-z-]{1,40}) in ([A-Za-z0-9_]{1,256})/.exec(head);
  if (kasan) {
    const rw = text.slice(0, 30).map((l) => /(Read|Write) (?:of size|at addr) [0-9a-f]/.exec(l)?.[1]).find(Boolean);
    if (rw) {
      return withFrame(`KASAN: ${kasan[1]} ${rw} in `, pick(text, [/BUG: KASAN: (?:[a-z-]+) in ([A-Za-z0-9_]+)[.+]/, CALL_TRACE, 'stack'],
        ['kernel_fault', 'tag_check', 'mem_abort', '^el1_', '^el1h_'], first));
    }
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
  if (head.includes('INFO: trying to register non-static key')) {
    return withFrame('INFO: trying to register non-static key in ', pick(text, TRACE, ['stack', 'lock', 'IRQ'], first));
  }
  if (head.includes('BUG: memory leak')) {
    return withFrame('memory leak in ', pick(text, [/backtrace(?: \(crc [0-9a-f]{0,16}\))?:/, 'stack'], ['kmemleak', 'mmap', 'kmem', 'slab', 'alloc',
      'create_object', 'idr_get', 'list_lru_init', 'kasprintf', 'kvasprintf', 'pcpu_create', 'strdup', 'strndup', 'memdup'], first));
  }
  if (head.includes('BUG: workqueue leaked lock or atomic')) {
    const last = text.map((l) => /last function: ([A-Za-z0-9_]{1,256})$/.exec(l)?.[1]).find(Boolean);
    if (last) return { title: `BUG: workqueue leaked lock or atomic in ${last}`, frame: last };
  }
  if (head.includes('Kernel panic - not syncing: Attempted to kill init!')) return { title: 'kernel panic: Attempted to kill init!', frame: null };
  if (head.includes('stack segment: ')) return withFrame('stack segment fault in ', pick(text, RIP_TRACE, [], first));
  if (/divide[ _]error: /.test(head)) return withFrame('divide error in ', pick(text, [RIP_RE], [], first));
  if (head.includes('invalid opcode: ')) return withFrame('invalid opcode in ', pick(text, [RIP_RE], [], first));
  const ub = /UBSAN: (.{1,60}?) in /.exec(head);
  if (ub) return withFrame(`UBSAN: ${ub[1] === 'Undefined behaviour' ? 'undefined-behaviour' : ub[1]} in `, pick(text, TRACE, ['ubsan', 'overflow'], first));
  if (/WARNING: .{0,200}suspicious RCU usage/.test(head)) {
    const p = head.includes('INFO:') ? 'INFO' : 'WARNING';
    return withFrame(`${p}: suspicious RCU usage in `, pick(text, TRACE, ['rcu', 'kmem', 'slab'], first));
  }
  if (/WARNING: .* at [\w\-/.]{1,200}\.[a-z]{1,3}:\d{1,7} /.test(head) || /WARNING: [\w\-/.]{1,200}\.[a-z]{1,3}:\d{1,7} at /.test(head)) {
    for (const [re, prefix, skip] of WARNING_CLASSES) if (re.test(head)) return withFrame(prefix, warningFrame(text, skip));
    if (/ usb_submit_urb/.test(head)) {
      return withFrame('WARNING in ', warningFrame(text, ['usb_submit_urb', 'usb_start_wait_urb', 'usb_bulk_msg', 'usb_interrupt_msg', 'usb_control_msg']), '/usb_submit_urb');
    }
    return withFrame('WARNING in ', warningFrame(text, []));
  }
  for (const mk of ['BUG:', 'WARNING:', 'INFO:', 'UBSAN:', 'general protection fault', 'kernel BUG', 'Internal error: Oops', 'divide error:', 'stack segment:', 'Unable to handle kernel', 'PANIC: double fault']) {
    if (head.includes(mk)) return { title: headerFrom(head, mk).slice(0, 200), frame: null };
  }
  return { title: head.trim().slice(0, 200), frame: null };
}
