// syzkaller titles of non-hang crash reports (pkg/report/linux.go formats), on small synthetic
// reports: each rule once, plus the shapes that must not take it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DetectorKind } from '../model/trace-model.ts';
import { syzTitle } from './syz-title.ts';
import { sanitizeTitle } from './syz-oops-title.ts';

/** Lines as the console normaliser gives them; `ctx` is the printk caller id when there is one. */
function title(text: string, kind: DetectorKind = 'oops', ctx?: string): string | undefined {
  const lines = text.split('\n').map((t) => (ctx ? { text: t, ctx } : { text: t }));
  return syzTitle(lines, 0, kind)?.title;
}

const frames = (...fns: string[]): string => fns.map((f, i) => ` ${f}+0x${(0x10 + i).toString(16)}/0x200`).join('\n');

test('report.go title clean-up: addresses, offsets, numbers and line numbers; digits inside names stay', () => {
  assert.equal(sanitizeTitle('VFS: Unable to mount root fs on unknown-block(0,0)'), 'VFS: Unable to mount root fs on unknown-block(NUM,NUM)');
  assert.equal(sanitizeTitle('KASAN: slab-out-of-bounds in ip6_fragment+0x1052/0x2d80 at addr ffff88004ec29b58'),
    'KASAN: slab-out-of-bounds in ip6_fragment at addr ADDR');
  assert.equal(sanitizeTitle('INFO: Freed in fasync_free_rcu+0x14/0x20 age=624 cpu=0 pid=3'), 'INFO: Freed in fasync_free_rcu age=NUM cpu=NUM pid=NUM');
  assert.equal(sanitizeTitle('kernel BUG at fs/ext4/inode.c:1234!'), 'kernel BUG at fs/ext4/inode.c:LINE!');
  assert.equal(sanitizeTitle('general protection fault in nl80211_send_iface'), 'general protection fault in nl80211_send_iface');
});

test('KASAN: "in FUNC" needs a Read/Write line; "on address" keeps the access kind; otherwise the header words', () => {
  const ok = ['BUG: KASAN: use-after-free in tcp_close+0x10/0x50', 'Read of size 8 at addr ffff88801 by task a/1', 'Call Trace:', frames('dump_stack', 'kasan_report', 'tcp_close')].join('\n');
  assert.equal(title(ok), 'KASAN: use-after-free Read in tcp_close');
  // 4.x: the header carries the address and the Read line was lost
  assert.equal(title('BUG: KASAN: use-after-free in do_con_write.part.23+0x1c50/0x1cb0 at addr ffff88000012c43a'),
    'KASAN: use-after-free in do_con_write.part.NUM at addr ADDR');
  assert.equal(title('BUG: KASAN: null-ptr-deref on address           (null)\nRead of size 4 by task syz-executor/22534'), 'KASAN: null-ptr-deref Read');
});

test('KMSAN: the access stack follows the header; copy helpers and generic crypto are skipped; usb infoleak', () => {
  const leak = ['BUG: KMSAN: kernel-infoleak in _copy_to_user+0x1c9/0x270', frames('_copy_to_user', 'urandom_read_nowarn', '__x64_sys_getrandom'), '',
    'Uninit was stored to memory at:', frames('chacha_permute')].join('\n');
  assert.equal(title(leak), 'KMSAN: kernel-infoleak in urandom_read_nowarn');
  const crypto = ['BUG: KMSAN: uninit-value in aes_encrypt+0x15cc/0x1db0', frames('aes_encrypt', 'aesti_encrypt', 'crypto_ecb_encrypt', 'fscrypt_crypt_block')].join('\n');
  assert.equal(title(crypto), 'KMSAN: uninit-value in fscrypt_crypt_block');
  const usb = ['BUG: KMSAN: kernel-usb-infoleak in usb_submit_urb+0x6c1/0x2aa0', frames('usb_submit_urb', 'hif_usb_send', 'htc_connect_service')].join('\n');
  assert.equal(title(usb), 'KMSAN: kernel-usb-infoleak in hif_usb_send');
});

test('KCSAN keeps its header; KFENCE names the first frame that is not a string/alloc helper', () => {
  assert.equal(title('BUG: KCSAN: data-race in e1000_clean_rx_irq+0x551/0xb10'), 'KCSAN: data-race in e1000_clean_rx_irq');
  const kf = ['BUG: KFENCE: use-after-free read in memcmp+0x57/0x150', '', 'Use-after-free read at 0xffff88823bc8cf68 (in kfence-#69):',
    frames('memcpy', 'find_uprobe', 'uprobe_apply')].join('\n');
  assert.equal(title(kf), 'KFENCE: use-after-free read in find_uprobe');
  assert.equal(title(['BUG: KFENCE: invalid free in test_double_free+0xdc/0x171', '', 'Invalid free of 0xffff (in kfence-#33):', frames('test_double_free')].join('\n')),
    'KFENCE: invalid free in test_double_free');
});

test('spinlock/rwlock bad magic: the Call Trace past the lock primitives', () => {
  const t = ['BUG: rwlock bad magic on CPU#0, kworker/0:18/18158, 00000000859f2a8d', 'Call Trace:', frames('dump_stack', 'do_raw_write_lock', 'tipc_mon_reinit_self')].join('\n');
  assert.equal(title(t), 'BUG: rwlock bad magic in tipc_mon_reinit_self');
});

test('mm and dcache checks: fixed titles, Bad page state from the page_owner allocation stack', () => {
  assert.equal(title('BUG: Bad rss-counter state mm:ffff88005fac4300 idx:0 val:15'), 'BUG: Bad rss-counter state');
  assert.equal(title('BUG: Bad page map in process syz-executor6  pte:ffff8801a700ff00 pmd:1a700f067'), 'BUG: Bad page map');
  assert.equal(title('BUG: Dentry ffff880175978600{i=8bb9,n=lo}  still in use (1) [unmount of proc proc]'), 'BUG: Dentry still in use in unmount');
  assert.equal(title('BUG kmalloc-8 (Tainted: G    B          ): Object already free'), 'BUG: Object already free');
  const page = ['BUG: Bad page state in process syz-executor209  pfn:7deea', 'page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set',
    'page last allocated via order 0, migratetype Unmovable, gfp_mask 0x40c40(GFP_NOFS|__GFP_COMP), pid 5096',
    frames('post_alloc_hook', 'get_page_from_freelist', '__alloc_pages_noprof', 'folio_alloc_noprof', '__filemap_get_folio', '__get_metapage', 'diNewExt')].join('\n');
  assert.equal(title(page), 'BUG: Bad page state in __get_metapage');
  // no page_owner stack (arm64): syzkaller says corrupted rather than guess from the free path
  assert.equal(title('BUG: Bad page state in process a  pfn:1\nCall trace:\n' + frames('free_unref_page', 'hash_sendmsg')), 'BUG: Bad page state in corrupted');
});

test('stack guard page and kernel stack overflow are named like stalls (the frame above the dispatch point)', () => {
  const t = ['BUG: TASK stack guard page was hit at ffffc9000e4aff58 (stack is ffffc9000e4b0000..ffffc9000e4b8000)', 'RIP: 0010:mark_lock+0x23/0x17b0',
    'Call Trace:', frames('__lock_acquire', 'bond_get_lowest_level_rcu', 'rtnl_newlink', 'rtnetlink_rcv_msg', 'netlink_rcv_skb')].join('\n');
  assert.equal(title(t), 'BUG: stack guard page was hit in rtnl_newlink');
  const p = ['Kernel panic - not syncing: kernel stack overflow', 'Call Trace:', frames('dump_stack', 'panic', 'handle_bad_stack', 'br_dev_xmit', 'rtnl_newlink', 'rtnetlink_rcv_msg')].join('\n');
  assert.equal(title(p, 'panic'), 'kernel stack overflow in rtnl_newlink');
});

test('BUG: Invalid wait context is titled as the amd64 lockdep WARNING', () => {
  const t = ['[ BUG: Invalid wait context ]', 'syz-executor.0/4448 is trying to lock:', 'Call trace:',
    frames('dump_backtrace', 'show_stack', 'dump_stack', '__lock_acquire', 'lock_acquire', '__might_fault', 'do_ipv6_setsockopt.isra.0', 'ipv6_setsockopt')].join('\n');
  assert.equal(title(t), 'WARNING: locking bug in do_ipv6_setsockopt');
});

test('suspicious RCU usage: the stack only when the report has the file:line line; INFO and WARNING keep their marker', () => {
  const withSrc = ['[ INFO: suspicious RCU usage. ]', '/linux/net/ipv6/ip6_flowlabel.c:543 suspicious rcu_dereference_check() usage!', 'Call Trace:',
    frames('dump_stack', 'lockdep_rcu_suspicious', 'ipv6_flowlabel_opt')].join('\n');
  assert.equal(title(withSrc), 'INFO: suspicious RCU usage in ipv6_flowlabel_opt');
  // no source line: the header line is the title (and not "in corrupted")
  assert.equal(title('WARNING: suspicious RCU usage\n4.14.0-next-20171127+ #53 Not tainted'), 'WARNING: suspicious RCU usage');
});

test('x86 unwinder bad-stack WARNINGs and old SLUB "INFO: Freed in"', () => {
  assert.equal(title("WARNING: kernel stack regs at ffff8801d100fea8 in syz-executor1:16059 has bad 'bp' value ffff8801d100ff28"),
    "WARNING: kernel stack regs has bad 'bp' value");
  assert.equal(title('WARNING: kernel stack frame pointer at (ptrval) in syzkaller601944:4492 has bad value (ptrval)'), 'WARNING: kernel stack regs has bad value');
  assert.equal(title('INFO: Allocated in fasync_helper+0x29/0x90 age=1 cpu=1 pid=6024'), 'INFO: Allocated in fasync_helper age=NUM cpu=NUM pid=NUM');
});

test('kernel panic messages: stack-protector, corrupted stack end, fixed and cleaned messages', () => {
  assert.equal(title('Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: udp4_lib_lookup2+0x7ea/0x7f0', 'panic'),
    'kernel panic: stack is corrupted in udp4_lib_lookup2');
  const hex = ['Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: ffffffff8343632e', 'Call Trace:',
    frames('dump_stack', 'panic', '__stack_chk_fail', 'ip6_xmit')].join('\n');
  assert.equal(title(hex, 'panic'), 'kernel panic: stack is corrupted in ip6_xmit');
  const end = ['Kernel panic - not syncing: corrupted stack end detected inside scheduler', 'Workqueue: writeback wb_workfn (flush-8:0)', 'Call Trace:',
    frames('dump_stack', 'panic', '__schedule', 'preempt_schedule_irq', 'retint_kernel', 'shrink_page_list', 'wb_workfn', 'process_one_work')].join('\n');
  assert.equal(title(end, 'panic'), 'kernel panic: corrupted stack end in wb_workfn');
  assert.equal(title('Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000013', 'panic'), 'kernel panic: Attempted to kill init!');
  assert.equal(title('Kernel panic - not syncing: Fatal exception in interrupt', 'panic'), 'kernel panic: Fatal exception');
  assert.equal(title('Kernel panic - not syncing: panic_on_warn set ...', 'panic'), 'kernel panic: panic_on_warn set');
  assert.equal(title("Kernel panic - not syncing: Couldn't open N_TTY ldisc for ptm1 --- error -12.", 'panic'), "kernel panic: Couldn't open N_TTY ldisc");
  assert.equal(title('Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)', 'panic'),
    'kernel panic: VFS: Unable to mount root fs on unknown-block(NUM,NUM)');
});

test('double fault: only the RIP counts; a skipped RIP is corrupted rather than a frame of the handler', () => {
  assert.equal(title('PANIC: double fault, error_code: 0x0\nRIP: 0010:kvm_async_pf_task_wait+0x19d/0x250\nCall Trace:\n' + frames('do_async_page_fault')),
    'PANIC: double fault in kvm_async_pf_task_wait');
  assert.equal(title('PANIC: double fault, error_code: 0x0\nRIP: 0010:trace_hardirqs_off_thunk+0xb/0x1c\nCall Trace:\n' + frames('do_async_page_fault')),
    'PANIC: double fault in corrupted');
});

test('lockdep reports that are not deadlocks: lock held on return to user, bad unlock balance, nested lock', () => {
  const held = ['[ BUG: lock held when returning to user space! ]', 'syz-executor724/3814 is leaving the kernel with locks still held!',
    '1 lock held by syz-executor724/3814:', ' #0:  (&fi->mutex){+.+.+.}, at: [<ffffffff81938722>] fuse_lock_inode+0xa2/0xd0'].join('\n');
  assert.equal(title(held, 'lockdep_other'), 'BUG: lock held when returning to user space in fuse_lock_inode');
  // the locks list is missing: the header, without its decoration's numbers
  assert.equal(title('WARNING: lock held when returning to user space!\n4.18.0-rc4+ #51 Not tainted', 'lockdep_other'), 'WARNING: lock held when returning to user space!');
  const unlock = ['WARNING: bad unlock balance detected!', 'syz-fuzzer/4405 is trying to release lock (&mm->mmap_lock) at:',
    '[<ffffa00010726344>] __might_fault+0x154/0x1b0', 'but there are no more locks to release!', 'Call trace:',
    frames('dump_backtrace', 'dump_stack', 'print_unlock_imbalance_bug', 'lock_release', '__might_fault', 'restore_fpsimd_context')].join('\n');
  assert.equal(title(unlock, 'lockdep_other'), 'WARNING: bad unlock balance in restore_fpsimd_context');
  assert.equal(title('[ BUG: bad unlock balance detected! ]', 'lockdep_other'), 'BUG: bad unlock balance in corrupted');
  const nested = ['WARNING: Nested lock was not taken', 'RIP: 0010:evict+0x10/0x300', 'Call Trace:', frames('iput')].join('\n');
  assert.equal(title(nested, 'lockdep_other'), 'WARNING: nested lock was not taken in evict');
});

test('arm die() banners: the report runs on past "Internal error:" (linux.go reportStartIgnores)', () => {
  const arm32 = ['Unhandled fault: page domain fault (0x81b) at 0x00001044', 'pgd = 74561366', 'Internal error: : 81b [#1] SMP ARM',
    'PC is at n_tty_set_termios+0x3c/0x4a0', 'LR is at tty_set_termios+0x1f8/0x2a0', 'Backtrace:',
    '[<80a0b0c0>] (n_tty_set_termios) from [<80a03e50>] (tty_set_termios+0x1f8/0x2a0)'].join('\n');
  assert.equal(title(arm32), 'Unhandled fault in n_tty_set_termios');
  const paging = ['Unable to handle kernel paging request at virtual address dead000000000108', 'pgd = ffffffc0a39a0000',
    'Internal error: Oops: 96000044 [#1] PREEMPT SMP', 'PC is at _snd_timer_stop.constprop.9+0x184/0x2b0'].join('\n');
  assert.equal(title(paging), 'BUG: unable to handle kernel paging request in _snd_timer_stop');
  const arm64 = ['Internal error: synchronous external abort: 96000010 [#1] PREEMPT SMP', 'pc : __raw_readb+0x18/0x2c', 'Call trace:',
    frames('__raw_readb', 'logic_inb', 'ns558_init')].join('\n');
  assert.equal(title(arm64), 'Internal error in ns558_init');
});

test('console-only reports end at an interleaved fault-injection dump; caller-context reports do not', () => {
  const t = ['WARNING: CPU: 1 PID: 16250 at lib/debugobjects.c:291 debug_print_object+0x166/0x220',
    'FAULT_INJECTION: forcing a failure.', 'RIP: 0010:debug_print_object+0x166/0x220', 'Call Trace:', frames('debug_object_free', 'process_one_req')].join('\n');
  assert.equal(title(t), 'WARNING: ODEBUG bug in corrupted');
  assert.equal(title(t, 'oops', 'T16250'), 'WARNING: ODEBUG bug in process_one_req');
});

test('WARNING shapes: zero-size vmalloc, powerpc "--- interrupt:", bracketed condition; a WARNING without a source location is not "WARNING in"', () => {
  const vm = ['WARNING: CPU: 0 PID: 7 at mm/vmalloc.c:2873 __vmalloc_node_range+0x769/0x970', 'RIP: 0010:__vmalloc_node_range+0x769/0x970',
    frames('__vmalloc_node', 'dvb_dmx_init')].join('\n');
  assert.equal(title(vm), 'WARNING: zero-size vmalloc in dvb_dmx_init');
  const ppc = ['WARNING: CPU: 1 PID: 4057 at arch/powerpc/mm/slb.c:79 assert_slb_presence+0x2c/0x70', 'Call Trace:',
    '[c00000003ae5b9a0] [c00000000135a500] report_bug+0x150/0x270', '--- interrupt: 700 at assert_slb_presence+0x2c/0x70',
    '[c00000003ae5bdf0] [c00000000009651c] do_slb_fault+0x10c/0x250'].join('\n');
  assert.equal(title(ppc), 'WARNING in assert_slb_presence');
  const cond = ['WARNING: [time_after(jiffies, timeout)] io_uring/io_uring.c:3026 at io_ring_exit_work+0x44c/0xbc0, CPU#0: kworker/u8:0/10040',
    'RIP: 0010:io_ring_exit_work+0x44c/0xbc0', 'Call Trace:', frames('process_one_work')].join('\n');
  assert.equal(title(cond), 'WARNING in io_ring_exit_work');
  assert.equal(title('WARNING: the frobnicator is on fire\nRIP: 0010:frob+0x1/0x2'), 'WARNING: the frobnicator is on fire');
});

test('hostile header: a 64 KiB line of digits and hex is titled quickly', () => {
  const long = 'BUG: KCSAN: ' + '1234567890abcdef.'.repeat(4000);
  const t0 = Date.now();
  const t = title(long);
  assert.ok(Date.now() - t0 < 500);
  assert.ok(t !== undefined && t.length <= 400);
});
