// The trace model: everything the parser recognised in one paste, with source line numbers.
// Parsers (analyzers/parse/) build it; analyzer plugins (analyzers/plugins/) only read it.
// Line numbers are 1-based and refer to the ORIGINAL input, so a reply can quote evidence.
// Adding fields is fine; renaming breaks the plugins.

import type { Format } from '../contract.ts';

/** Execution context of a stack segment. */
export type Context = 'process' | 'softirq' | 'hardirq' | 'nmi';

export interface Frame {
  fn: string; // symbol without offset ("flush_workqueue"); "" when only an address is known
  offset: number | null; // +0x12c or crash's decimal +492
  size: number | null; // the /0x5b0 part of console frames
  address: string | null; // lower-case hex without 0x
  module: string | null; // "bsnmod" from "[bsnmod]"
  unreliable: boolean; // console "?" frames (not on the real call chain)
  context: Context;
  line: number;
}

/** Register values, lower-case hex without 0x, keyed by upper-case name (RIP, RSP, RFLAGS, RAX, R8, ORIG_RAX, CS...). */
export type Registers = Record<string, string>;

/**
 * An exception frame: crash's "[exception RIP: fn+off]" block or a console "RIP: 0010:fn+0x/0x" line
 * with its register lines. It describes the code that was interrupted (or faulted) at that point.
 */
export interface ExceptionFrame {
  fn: string;
  offset: number | null;
  address: string | null; // RIP value when known
  module: string | null;
  registers: Registers;
  /** Context of the interrupted code (the code the RIP points into). */
  context: Context;
  line: number;
  lines: number[]; // every line of the register block
}

/** One contiguous run of frames in one context, innermost first. */
export interface StackSegment {
  context: Context;
  frames: Frame[];
  /** The exception frame that starts this segment (the interrupted code's RIP and registers), if any. */
  exception: ExceptionFrame | null;
}

export type TaskSource = 'crash-bt' | 'crash-ps' | 'proc-stack' | 'ps' | 'console' | 'crash-struct';

export interface Task {
  /** Stable key inside one model: "pid:123", "task:ffff...", "cpu:3", or "anon:N". */
  key: string;
  pid: number | null;
  comm: string | null;
  task: string | null; // task_struct address, hex without 0x
  cpu: number | null;
  /** Normalised state: 'D' (UN), 'R' (RU), 'S' (IN), 'T', 'Z', 'I' (ID), 'X', or null. */
  state: string | null;
  /** Stack segments innermost first (e.g. NMI, then hardirq/softirq, then process). */
  stack: StackSegment[];
  sources: TaskSource[];
  lines: number[]; // header lines and ps rows that name this task
  /** Kernel thread (comm in brackets in ps, or a known kthread entry at the bottom of the stack). */
  kthread: boolean;
  /**
   * crash backtraces: the lowest and highest stack pointer of the task's own (process) stack frames,
   * "#N [sp]" after the last "--- <...> ---" marker. Kernel objects that live on a waiter's stack (a
   * mutex_waiter, an rwsem_waiter) have addresses in this range, so a lock's wait_list names its task.
   */
  spRange?: { low: string; high: string };
}

export type DetectorKind =
  | 'hung_task' // INFO: task X:PID blocked for more than N seconds
  | 'soft_lockup'
  | 'hard_lockup'
  | 'rcu_stall'
  | 'lockdep_circular'
  | 'lockdep_recursive'
  | 'lockdep_irq_inconsistent'
  | 'lockdep_other' // held lock freed, bad unlock balance, ...
  | 'spinlock_recursion'
  | 'spinlock_lockup'
  | 'workqueue_lockup'
  | 'scheduling_while_atomic'
  | 'sleeping_in_atomic' // BUG: sleeping function called from invalid context
  | 'workqueue_leak' // BUG: workqueue leaked lock or atomic: comm/0xPREEMPT/PID (a work item returned atomic or holding a lock)
  | 'panic' // Kernel panic - not syncing: ...
  | 'oops' // BUG: unable to handle ..., general protection fault, KASAN, kernel BUG at, WARNING ...
  | 'nmi_backtrace' // NMI backtrace for cpu N
  | 'netdev_unregister'; // unregister_netdevice: waiting for DEV to become free. Usage count = N

/** A lock as lockdep prints it: "(&mm->mmap_lock){++++}-{3:3}, at: ffffffff... fn+0x/0x". */
export interface LockdepLock {
  name: string; // "&mm->mmap_lock" / "rtnl_mutex"
  address: string | null; // "ffff888012345678" from "ffff888012345678 (&mm->mmap_lock)"
  usage: string | null; // "{++++}"
  at: string | null; // function the lock was taken at
  /** offset in `at` ("at: xcam_open+0x2e/0x140"): the return address of the lock call */
  atOffset?: number | null;
  task: string | null; // "comm/pid" when listed under a holder
  line: number;
}

/**
 * Report.details of a 'netdev_unregister' report: the device, the reference count printed, and the
 * reference tracker's stacks printed after it (CONFIG_NET_DEV_REFCNT_TRACKER, v5.17+): where each
 * reference still held was taken.
 */
export interface NetdevWait {
  device: string;
  usage: number | null;
  trackers: Array<{ dir: string; address: string | null; count: number; total: number; frames: string[]; line: number }>;
}

/** A lockdep "N locks held by comm/PID:" list (a report's, or sysrq-d's "Showing all locks held"). */
export interface HeldLocks {
  comm: string;
  pid: number;
  locks: LockdepLock[];
  line: number;
}

export interface LockdepInfo {
  /** "X/123 is trying to acquire lock:" */
  acquiring: LockdepLock | null;
  acquirer: { comm: string; pid: number } | null;
  /** "but task is already holding lock:" / "which lock already depends on the new lock." chain */
  held: LockdepLock[];
  /** the "-> #N (lock){...}" dependency chain entries in order */
  chain: Array<{ index: number; lock: LockdepLock; frames: Frame[] }>;
  /** "Possible unsafe locking scenario" table: one column of steps per CPU */
  scenario: Array<{ cpu: string; steps: string[] }>;
  /** "N locks held by X/123:" lists */
  heldBy: Array<{ comm: string; pid: number; locks: LockdepLock[]; line: number }>;
}

export interface Report {
  kind: DetectorKind;
  /** The header line as written (normalised), e.g. "INFO: task khungtaskd:27 blocked for more than 120 seconds." */
  header: string;
  line: number;
  cpu: number | null;
  pid: number | null;
  comm: string | null;
  seconds: number | null;
  /** Panic message ("softlockup: hung tasks") for panic reports. */
  message: string | null;
  /** Keys of tasks whose stacks were printed as part of this report, in order. */
  taskKeys: string[];
  /** "Workqueue: events netstamp_clear" */
  workqueue: string | null;
  /** Hung-task blocker line: "task X:PID blocked on a mutex likely owned by task Y:PID" */
  blocker: { primitive: string; ownerComm: string; ownerPid: number; line: number; ownerReader?: true } | null;
  lockdep: LockdepInfo | null;
  /** RCU stall: stalled CPUs / tasks; workqueue lockup: pool and its busy workers (free-form but structured). */
  details: Record<string, unknown>;
  /** Last line that belongs to this report. */
  endLine: number;
  /** The kernel's uptime stamp of the header line in seconds ("[  760.247152]"), when it had one. */
  uptime?: number;
}

/** A crash struct dump (`struct mutex ADDR`, `mutex_waiter ADDR`, `spinlock_t ADDR`, `p $1.pid`...). */
export interface StructDump {
  type: string; // "mutex", "mutex_waiter", "spinlock_t", "raw_spinlock_t", "rw_semaphore", "task_struct", ...
  address: string | null;
  /** The global's symbol when the dump named it ("struct mutex -x pci_rescan_remove_lock"). */
  symbol?: string;
  /** Printed with -x: every number is hex, also those without a letter ("counter = 0x10" is kept as "10"). */
  hex?: true;
  /** Flattened fields: "owner" → "ffff88003570de20", "count.counter" → "-1", "wait_list.next" → ..., "slock" → "65537". */
  fields: Record<string, string>;
  line: number;
  endLine: number;
}

/** `list rwsem_waiter.list -s rwsem_waiter.task,type -h ADDR` output. */
export interface WaiterList {
  head: string | null; // the -h address (the rwsem/mutex whose wait list this is)
  structType: string; // "rwsem_waiter"
  entries: Array<{ node: string; task: string | null; type: string | null; line: number }>;
  line: number;
}

/** `p $1.pid` / `p (struct task_struct *)ADDR` results that tie a task address to a pid. */
export interface AddressBinding {
  task: string;
  pid: number;
  line: number;
}

/** A crash `rd` error: "rd: invalid kernel virtual address: ffffffffa88b53b0  type: ..." */
export interface InvalidAddress {
  address: string;
  line: number;
}

export interface PsRow {
  pid: number;
  ppid: number | null;
  cpu: number | null;
  task: string | null;
  state: string; // normalised as Task.state
  comm: string;
  kthread: boolean; // [kworker/1:2]
  line: number;
}

/** The crash `sys` header (KERNEL:, PANIC:, RELEASE:, CPUS: ...). */
export interface SysInfo {
  release: string | null;
  panic: string | null;
  cpus: number | null;
  pid: number | null;
  comm: string | null;
  cpu: number | null;
  line: number;
}

export interface TraceModel {
  formats: Format[];
  reports: Report[];
  tasks: Task[];
  structs: StructDump[];
  waiterLists: WaiterList[];
  bindings: AddressBinding[];
  invalidAddresses: InvalidAddress[];
  psRows: PsRow[];
  /** Lockdep held-lock lists printed outside any report (sysrq-d, debug_show_all_locks). */
  heldLocks?: HeldLocks[];
  /** CONFIG_CSD_LOCK_WAIT_DEBUG: "csd: Detected non-responsive CSD lock (#1) on CPU#3, waiting N ns for CPU#06". */
  csdWaits?: Array<{ cpu: number; target: number; line: number }>;
  /** /proc/modules rows in the paste: each module's base address and size (hex base without 0x). */
  modules?: Array<{ name: string; size: number; base: string; line: number }>;
  /** "[last unloaded: name]" of an oops's "Modules linked in:" line. */
  lastUnloaded?: { name: string; line: number };
  sys: SysInfo | null;
  /** crash `kmem -s ADDR` answers: the slab object holding ADDR, its cache, and whether it is free. */
  slabObjects?: Array<{ query: string; object: string; free: boolean; cache: string | null; line: number }>;
  /** The last kernel uptime stamp of the paste (seconds) and its line: how far the log goes on. */
  lastUptime?: { seconds: number; line: number };
  /** Kernel release when seen anywhere ("4.18.0-240.el8.x86_64"). */
  release: string | null;
  /** Number of input lines after normalisation, and notes about the input (truncated, binary...). */
  lineCount: number;
  notes: string[];
}
