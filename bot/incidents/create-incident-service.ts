// The incident service over a Store (see incident-service.ts for the contract). Every change is a
// read-modify-write inside one store transaction with the incident row locked, so two replicas
// pressing "Resolve" and recording an occurrence at once cannot lose either change.

import type { Analysis } from '../../analyzers/contract.ts';
import { LockdownError } from '../../config/errors.ts';
import type { Config } from '../../config/types.ts';
import type { IncidentFilter, IncidentPatch, Store, StoreOps } from '../store/store.ts';
import type { Incident } from '../types.ts';
import { checkPermission, type GuardedAction } from './check-permission.ts';
import type { Actor, IncidentService, OccurrenceMeta, RecordResult, StatusChange } from './incident-service.ts';

export interface IncidentServiceDeps {
  store: Store;
  clock: () => Date;
  permissions: Config['permissions'];
}

/** The system itself as the author of automatic history entries (regression, mute expiry). */
const SYSTEM = 'lockdown';
/** Duplicate chains are short (dup resolves to the root); the bound only guards corrupt data. */
const MAX_DUP_DEPTH = 16;

interface Change {
  patch: IncidentPatch;
  action: string;
  detail: string | null;
}

export function createIncidentService(deps: IncidentServiceDeps): IncidentService {
  const { store, clock, permissions } = deps;
  const now = () => clock().toISOString();

  async function requireIn(ops: StoreOps, id: string, forUpdate: boolean): Promise<Incident> {
    const inc = forUpdate ? await ops.getIncidentForUpdate(id) : await ops.getIncident(id);
    if (!inc) throw new LockdownError('LD_NOT_FOUND', `no incident ${id}`, { userMessage: `No incident ${id}; try \`/lockdown list\`.`, details: { id } });
    return inc;
  }

  /** Follows duplicate links to the incident that counts (bounded; a loop ends where it started). */
  async function rootOf(ops: StoreOps, inc: Incident): Promise<Incident> {
    let cur = inc;
    for (let i = 0; i < MAX_DUP_DEPTH && cur.status === 'duplicate' && cur.duplicateOf; i++) {
      const next = await ops.getIncidentForUpdate(cur.duplicateOf);
      if (!next || next.seq === inc.seq) break;
      cur = next;
    }
    return cur;
  }

  async function record(tx: StoreOps, meta: OccurrenceMeta, analysis: Analysis): Promise<RecordResult> {
    const at = now();
    let inc = await tx.getIncidentBySignature(analysis.signature, { forUpdate: true });
    let isNew = false;
    if (!inc) {
      inc = await tx.createIncident({ signature: analysis.signature, title: analysis.title, family: analysis.family, at });
      if (inc) isNew = true;
      // Another replica created it between our read and our insert: use theirs.
      else inc = await tx.getIncidentBySignature(analysis.signature, { forUpdate: true });
    }
    if (!inc) throw new LockdownError('LD_STORE', `incident for signature ${analysis.signature} vanished`);
    if (isNew) await tx.addHistory({ incidentId: inc.id, at, actor: meta.author || SYSTEM, action: 'created', detail: where(meta) });

    const target = await rootOf(tx, inc);
    const duplicateFrom = target.seq === inc.seq ? null : inc.id;
    const previous = { channel: target.lastChannel, channelName: target.lastChannelName };
    let regression = false;
    let muted = false;
    if (target.status === 'resolved') {
      // A resolved hang seen again: the fix did not hold (or never shipped). Reopen loudly.
      await tx.updateIncident(target.id, { status: 'open', regression: true }, at);
      await tx.addHistory({ incidentId: target.id, at, actor: SYSTEM, action: 'regression', detail: `seen again ${where(meta)} after being resolved` });
      regression = true;
    } else if (target.status === 'muted') {
      if (target.mutedUntil !== null && target.mutedUntil <= at) {
        await tx.updateIncident(target.id, { status: 'open', mutedUntil: null }, at);
        await tx.addHistory({ incidentId: target.id, at, actor: SYSTEM, action: 'status:open', detail: `mute expired (${target.mutedUntil})` });
      } else {
        muted = true;
      }
    }
    const occurrence = await tx.insertOccurrence({ incidentId: target.id, ...pickMeta(meta), seenAt: at, analysis });
    if (!isNew) {
      const via = duplicateFrom ? ` via ${duplicateFrom}` : '';
      await tx.addHistory({ incidentId: target.id, at, actor: meta.author || SYSTEM, action: 'occurrence', detail: `${where(meta)}${via}` });
    }
    const incident = await requireIn(tx, target.id, false);
    return {
      incident,
      occurrence,
      isNew,
      regression,
      muted,
      duplicateFrom,
      seenCount: incident.occurrenceCount,
      firstSeen: incident.firstSeen,
      lastChannelName: isNew ? null : previous.channelName,
      lastChannel: isNew ? null : previous.channel,
    };
  }

  async function change(id: string, actor: Actor, guard: GuardedAction | null, decide: (inc: Incident, tx: StoreOps) => Promise<Change | null> | Change | null): Promise<StatusChange> {
    if (guard) checkPermission(permissions, guard, actor, id);
    return store.transaction(async (tx) => {
      const before = await requireIn(tx, id, true);
      const c = await decide(before, tx);
      if (!c) return { before, incident: before, changed: false };
      const at = now();
      const incident = await tx.updateIncident(before.id, c.patch, at);
      await tx.addHistory({ incidentId: before.id, at, actor: actor.id, action: c.action, detail: c.detail });
      return { before, incident, changed: true };
    });
  }

  const closedConflict = (inc: Incident, verb: string) =>
    new LockdownError('LD_CONFLICT', `${inc.id} is ${inc.status}`, {
      userMessage: `${inc.id} is ${inc.status}; reopen it before you ${verb} it (\`/lockdown reopen ${inc.id}\`).`,
      details: { id: inc.id, status: inc.status },
    });

  return {
    recordOccurrence: (meta, analysis, tx) => (tx ? record(tx, meta, analysis) : store.transaction((t) => record(t, meta, analysis))),

    get: (id) => store.getIncident(id),
    require: (id) => requireIn(store, id, false),
    list: (filter?: IncidentFilter) => store.listIncidents(filter),
    listUnresolved: (filter = {}) => store.listIncidents({ ...filter, status: ['open', 'acknowledged', 'muted'] }),
    occurrences: async (id) => store.listOccurrences((await requireIn(store, id, false)).id),
    history: async (id) => store.listHistory((await requireIn(store, id, false)).id),

    ack: (id, actor) =>
      change(id, actor, null, (inc) => {
        if (inc.status === 'resolved' || inc.status === 'duplicate') throw closedConflict(inc, 'acknowledge');
        if (inc.status === 'acknowledged') return null;
        // Acknowledging takes the incident unless someone already owns it.
        return { patch: { status: 'acknowledged', mutedUntil: null, owner: inc.owner ?? actor.id }, action: 'status:acknowledged', detail: null };
      }),

    resolve: (id, actor, note = null) =>
      change(id, actor, 'resolve', (inc) => {
        if (inc.status === 'resolved') return null;
        return { patch: { status: 'resolved', mutedUntil: null, duplicateOf: null }, action: 'status:resolved', detail: note?.trim() || null };
      }),

    reopen: (id, actor) =>
      change(id, actor, null, (inc) => {
        if (inc.status === 'open') return null;
        return { patch: { status: 'open', mutedUntil: null, duplicateOf: null }, action: 'status:open', detail: `was ${inc.status}` };
      }),

    dup: (id, ofId, actor) =>
      change(id, actor, 'dup', async (inc, tx) => {
        const root = await rootOf(tx, await requireIn(tx, ofId, true));
        if (root.seq === inc.seq) {
          throw new LockdownError('LD_CONFLICT', `${inc.id} cannot be a duplicate of itself`, {
            userMessage: `${inc.id} cannot be a duplicate of ${ofId}: that would point it at itself.`,
            details: { id: inc.id, of: ofId },
          });
        }
        if (inc.status === 'duplicate' && inc.duplicateOf === root.id) return null;
        return { patch: { status: 'duplicate', duplicateOf: root.id, mutedUntil: null }, action: 'status:duplicate', detail: root.id };
      }),

    mute: (id, actor, until) =>
      change(id, actor, 'mute', (inc) => {
        if (inc.status === 'resolved' || inc.status === 'duplicate') throw closedConflict(inc, 'mute');
        const untilIso = until === null ? null : new Date(until).toISOString();
        if (untilIso !== null && untilIso <= now()) {
          throw new LockdownError('LD_USAGE', `mute until ${untilIso} is not in the future`, { userMessage: 'A mute must end in the future, e.g. `/lockdown mute LD-4 for 7d`.' });
        }
        if (inc.status === 'muted' && inc.mutedUntil === untilIso) return null;
        return { patch: { status: 'muted', mutedUntil: untilIso }, action: 'status:muted', detail: untilIso === null ? 'indefinitely' : `until ${untilIso}` };
      }),

    assign: (id, actor, owner) =>
      change(id, actor, null, (inc) => {
        if (inc.owner === owner) return null;
        return { patch: { owner }, action: 'assign', detail: owner };
      }),

    addNote: async (id, actor, text) => {
      const note = text.trim();
      if (!note) throw new LockdownError('LD_USAGE', 'empty note', { userMessage: 'A note needs some text, e.g. `/lockdown note LD-4 bisected to 5.10.3`.' });
      return store.transaction(async (tx) => {
        const inc = await requireIn(tx, id, true);
        await tx.addHistory({ incidentId: inc.id, at: now(), actor: actor.id, action: 'note', detail: note });
        return inc;
      });
    },
  };
}

function pickMeta(m: OccurrenceMeta): OccurrenceMeta {
  return {
    platform: m.platform,
    workspace: m.workspace,
    channel: m.channel,
    channelName: m.channelName,
    thread: m.thread,
    messageId: m.messageId,
    link: m.link,
    author: m.author,
  };
}

function where(m: OccurrenceMeta): string {
  return `in ${m.channelName ?? m.channel} (${m.platform})`;
}
