// The frame-skipping facts syzkaller uses to name a report after its guilty function
// (google/syzkaller pkg/report/linux.go: linuxStackParams.skipPatterns, linuxStallAnchorFrames,
// linuxHangTaskFrameExtractor). Re-expressed here; the patterns are substrings (regex alternation)
// matched against bare function names, which are short, so matching is cheap.

const GLOBAL_SKIP = [
  '__sanitizer', '__asan', 'kasan', '__msan', 'kmsan', 'check_memory_region', 'read_word_at_a_time',
  'print_address_description', 'panic', 'invalid_op', 'report_bug', 'fixup_bug', 'do_error', '_trap',
  'dump_stack', 'warn_slowpath', 'warn_alloc', '__warn', 'debug_object', 'timer_is_static_object',
  'work_is_static_object', 'lockdep', 'perf_trace', 'lock_acquire', 'lock_release', 'lock_class',
  'reacquire_held_locks', 'spin_lock', 'spin_trylock', 'spin_unlock', 'raw_read_lock', 'raw_read_trylock',
  'raw_write_lock', 'raw_write_trylock', 'down', 'down_read', 'down_write', 'down_read_trylock',
  'down_write_trylock', 'up_read', 'up_write', 'mutex_lock', 'mutex_trylock', 'mutex_unlock',
  'mutex_remove_waiter', 'osq_lock', 'osq_unlock', '__wake_up', 'refcount_add', 'refcount_sub',
  'refcount_inc', 'refcount_dec', 'refcount_set', 'refcount_read', 'memcpy', 'memcmp', 'memset', 'memchr',
  'memmove', 'strcmp', 'strncmp', 'strcpy', 'strlcpy', 'strncpy', 'strscpy', 'strlen', 'strnstr',
  'strnlen', 'strchr', 'copy_to_user', 'copy_from_user', 'put_user', 'get_user', 'might_fault',
  'might_sleep', 'list_add', 'list_del', 'list_replace', 'list_move', 'list_splice', '_indirect_thunk_',
  'string', 'pointer', 'snprintf', 'scnprintf', 'kasprintf', 'kvasprintf', 'printk', 'va_format',
  'dev_info', 'dev_notice', 'dev_warn', 'dev_err', 'dev_alert', 'dev_crit', 'dev_emerg',
  'program_check_exception', 'program_check_common', 'del_timer', 'flush_work', '__cancel_work_timer',
  'cancel_work_sync', 'try_to_grab_pending', 'flush_workqueue', 'drain_workqueue', 'destroy_workqueue',
  'finish_wait', 'kthread_stop', 'kobject_del', 'kobject_put', 'kobject_uevent_env', 'add_uevent_var',
  'get_device_parent', 'device_add', 'device_del', 'device_unregister', 'device_destroy', 'device_release',
  'devres_release_all', 'hwrng_unregister', 'i2c_del_adapter', '__unregister_client',
  'device_for_each_child', 'rollback_registered', 'unregister_netdev', 'sysfs_remove',
  'device_remove_file', 'tty_unregister_device', 'dummy_urb_enqueue', 'usb_kill_urb',
  'usb_kill_anchored_urbs', 'usb_control_msg', 'usb_hcd_submit_urb', 'usb_submit_urb', '^complete$',
  'wait_for_completion', '^kfree$', 'kfree_skb',
];

export function skipMatcher(extra: readonly string[] = []): (fn: string) => boolean {
  const re = new RegExp([...GLOBAL_SKIP, ...extra].join('|'));
  return (fn) => re.test(fn);
}

// Where a looping CPU's stack enters the code that matters: the frame just above one of these
// dispatch points names the stall (syscall entry, workqueue, softirq, timers, file and socket ops...).
const STALL_ANCHORS = new RegExp([
  'process_one_work', 'do_syscall_', 'do_fast_syscall_', 'sysenter_dispatch', 'tracesys_phase2',
  'netif_receive_skb', 'do_softirq', 'call_timer_fn', '_run_timers', 'run_timer_softirq', 'run_ksoftirqd',
  'smpboot_thread_fn', 'kthread', 'start_secondary', 'cpu_startup_entry', 'ret_from_fork', 'vfs_write',
  'vfs_read', 'vfs_iter_read', 'vfs_iter_write', 'do_iter_read', 'do_iter_write', 'vfs_ioctl',
  'ksys_ioctl', 'compat_ioctl', 'compat_sys_ioctl', 'blkdev_driver_ioctl', 'blkdev_ioctl',
  '^call_read_iter', '^call_write_iter', 'do_iter_readv_writev', '^call_mmap', 'mmap_region', 'do_mmap',
  'do_dentry_open', 'vfs_open', '^sock_sendmsg', '^sock_recvmsg', '^sock_release', '^__sock_release',
  '__sys_setsockopt', 'kernel_setsockopt', 'sock_common_setsockopt', '__sys_listen', 'kernel_listen',
  'sk_common_release', '^sock_mmap', '__sys_accept', 'kernel_accept', '^sock_do_ioctl', '^sock_ioctl',
  '^compat_sock_ioctl', '^nfnetlink_rcv_msg', '^rtnetlink_rcv_msg',
  '^(compat_)?(SYSC|SyS|__sys|___sys|__do_sys|__se_sys|__x64_sys)_(socketpair|connect|ioctl)',
  '__do_fault', 'handle_mm_fault', 'do_page_fault', '^page_fault$', '__fput', 'task_work_run',
  'exit_to_usermode', 'smp_call_function',
].join('|'));

const SYSCALL_PREFIXES = ['__x64_', 'SYSC_', 'SyS_', 'compat_SYSC_', 'compat_SyS_', '__ia32_sys_'];

/** Stalls and lockups: the frame just above the first dispatch anchor ("" when there is none). */
export function stallFrame(frames: readonly string[]): string {
  let prev = frames[0] ?? '';
  for (const f of frames) {
    if (STALL_ANCHORS.test(f)) {
      for (const p of SYSCALL_PREFIXES) if (prev.startsWith(p)) prev = prev.slice(p.length);
      return prev;
    }
    prev = f;
  }
  return '';
}

// Hung tasks show up on victims: group the two big buckets (RCU grace periods and rtnl_mutex) first,
// then skip scheduler, lock and wait primitives.
const HANG_ANCHORS: Array<[string, string]> = [
  ['rtnl_lock', ''],
  ['synchronize_rcu', 'synchronize_rcu'],
  ['synchronize_srcu', 'synchronize_rcu'],
  ['synchronize_net', 'synchronize_rcu'],
  ['synchronize_sched', 'synchronize_rcu'],
];
const HANG_SKIP = ['sched', '_lock', '_slowlock', 'down', 'rwsem', 'completion', 'kthread', 'wait',
  'synchronize', 'context_switch', '__switch_to', 'cancel_delayed_work'];

export function hangFrame(frames: readonly string[]): string {
  for (const f of frames) {
    for (const [anchor, repl] of HANG_ANCHORS) if (f.includes(anchor)) return repl || f;
  }
  for (const f of frames) if (!HANG_SKIP.some((s) => f.includes(s))) return f;
  return '';
}
