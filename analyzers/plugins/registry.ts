// The plugin registry: ids are unique (an id is Finding.pattern, which cases and stores key on).
// The default list is the mechanism analyzers of the documented cases, then the generic per-family
// plugins (mechanisms rank first at equal confidence).

import type { Plugin } from './plugin.ts';
import { genericPlugins } from './generic.ts';
import { flushWaitsOnBlockedWorker } from './flush-waits-on-blocked-worker/index.ts';
import { mutexSelfDeadlock } from './mutex-self-deadlock/index.ts';
import { irqReentrantSpinlock } from './irq-reentrant-spinlock/index.ts';
import { timerAfterModuleUnload } from './timer-after-module-unload/index.ts';
import { rwsemWriterQueueCycle } from './rwsem-writer-queue-cycle/index.ts';
import { ticketSpinlockCorruption } from './ticket-spinlock-corruption/index.ts';
import { ipiWaitsOnIrqsOffCpu } from './ipi-waits-on-irqs-off-cpu/index.ts';
import { lockdepCycle } from './lockdep-cycle/index.ts';
import { netdevUnregisterWait } from './netdev-unregister-wait/index.ts';

export const mechanismPlugins: readonly Plugin[] = [
  flushWaitsOnBlockedWorker,
  mutexSelfDeadlock,
  irqReentrantSpinlock,
  timerAfterModuleUnload,
  rwsemWriterQueueCycle,
  ticketSpinlockCorruption,
  ipiWaitsOnIrqsOffCpu,
  lockdepCycle,
  netdevUnregisterWait,
];

export interface Registry {
  readonly plugins: readonly Plugin[];
  has(id: string): boolean;
}

/** Adds a plugin to a list; throws on a duplicate or malformed id (a programming error, at startup). */
export function registerPlugin(list: Plugin[], p: Plugin): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(p.id)) throw new Error(`plugin id "${p.id}" must be lower-case kebab-case`);
  if (list.some((x) => x.id === p.id)) throw new Error(`duplicate plugin id "${p.id}"`);
  list.push(p);
}

export function createRegistry(plugins: readonly Plugin[]): Registry {
  const list: Plugin[] = [];
  for (const p of plugins) registerPlugin(list, p);
  const ids = new Set(list.map((p) => p.id));
  return { plugins: list, has: (id) => ids.has(id) };
}

export const MECHANISM_IDS: ReadonlySet<string> = new Set(mechanismPlugins.map((p) => p.id));

let defaultRegistry: Registry | null = null;
export function getDefaultRegistry(): Registry {
  defaultRegistry ??= createRegistry([...mechanismPlugins, ...genericPlugins]);
  return defaultRegistry;
}
