// The analysis contract (../shared/docs/analysis-contract.md): the JSON every part of lockdown
// shares. Field names are fixed; adding fields is fine, renaming or removing bumps schemaVersion.

export const SCHEMA_VERSION = 1 as const;

export type Family =
  | 'hung_task'
  | 'soft_lockup'
  | 'hard_lockup'
  | 'rcu_stall'
  | 'lockdep_circular'
  | 'lockdep_recursive'
  | 'lockdep_irq_inconsistent'
  | 'spinlock_recursion_or_lockup'
  | 'workqueue_lockup'
  | 'atomic_sleep'
  | 'stuck_tasks'
  | 'oops'
  | 'not_kernel';

export const FAMILIES: readonly Family[] = [
  'hung_task',
  'soft_lockup',
  'hard_lockup',
  'rcu_stall',
  'lockdep_circular',
  'lockdep_recursive',
  'lockdep_irq_inconsistent',
  'spinlock_recursion_or_lockup',
  'workqueue_lockup',
  'atomic_sleep',
  'stuck_tasks',
  'oops',
  'not_kernel',
];

/** What the parser recognised in the input (`formats`). */
export type Format =
  | 'crash-bt' // crash `bt`, `bt -a`, `foreach bt`
  | 'crash-ps'
  | 'crash-sys'
  | 'crash-struct' // struct mutex / mutex_waiter / spinlock_t / p $1.pid ...
  | 'crash-rwsem-list' // list rwsem_waiter.list -s task,type
  | 'crash-rd'
  | 'console' // dmesg / console Call Trace and detector lines
  | 'lockdep'
  | 'proc-stack'
  | 'ps';

/** A task as the contract exposes it (a view of the richer TraceModel task). */
export interface AnalysisTask {
  pid: number | null;
  comm: string | null;
  state: string | null; // 'D', 'R', 'S', ... (crash UN → D, RU → R, IN → S)
  cpu: number | null;
  task: string | null; // task_struct address, lower-case hex without 0x
  frames: string[]; // function names, innermost first, all contexts
  contexts?: Array<{ context: string; frames: string[]; exceptionRip?: string | null }>;
}

/** One link of a blocking chain: `task` waits on `waitsOn`, held by `heldBy` (null = unknown). */
export interface ChainLink {
  task: string; // `comm:pid`, or `comm` / `pid` / `CPU n`
  waitsOn: string; // human description: "mutex ffff880035acf1e0", "workqueue flush (...)"
  primitive: string; // mutex | rwsem_read | rwsem_write | spinlock | completion | flush_workqueue | ipi | ...
  lock: string | null; // address (hex, no 0x) or symbolic name such as `bfqd->lock`
  heldBy: string | null;
  evidence?: string; // why we believe this link
  lines?: number[]; // source line numbers of the evidence (1-based)
}

export interface SuspectLock {
  primitive: string;
  address: string | null;
  name: string | null;
  holder: string | null;
  evidence: string;
  lines?: number[];
}

export interface Finding {
  pattern: string; // id of the analyzer that produced it
  caseId: string | null;
  confidence: number; // 0..1
  headline: string;
  blockingChain: ChainLink[];
  cycle: boolean;
  suspectLock: SuspectLock | null;
  keyFrames: string[];
  checklist: string[];
  nextSteps: string[];
  references: string[];
}

export interface Analysis {
  schemaVersion: typeof SCHEMA_VERSION;
  family: Family;
  title: string;
  signature: string;
  formats: Format[];
  keyFrames: string[];
  tasks: AnalysisTask[];
  findings: Finding[];
  /** Messages about the input itself (truncated, binary bytes dropped, nothing recognised...). */
  notes?: string[];
}
