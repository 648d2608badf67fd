// "#storage" for a channel id. Slack message events carry only the channel id; the incident line
// "seen 3 times since …, last in #storage" needs the name, so ask conversations.info (scopes
// channels:read, groups:read) once per channel and keep the answer. A lookup that fails (missing
// scope, channel_not_found, 429, network) or is slow gives null: the reply never waits on it for
// longer than `timeoutMs` and never fails because of it.

import type { Logger } from '../../bot/log.ts';

export interface ChannelInfo {
  name?: string | null;
  is_im?: boolean;
  is_mpim?: boolean;
}

export interface ChannelNamesOptions {
  /** conversations.info for one channel (a client that does not retry: a failure is just null). */
  info: (channel: string) => Promise<ChannelInfo | null | undefined>;
  logger: Logger;
  /** Milliseconds since the epoch (tests move it). */
  clock?: () => number;
  /** Resolves after `ms` (tests pass one they control). */
  sleep?: (ms: number) => Promise<void>;
  timeoutMs?: number;
  /** How long a name is kept (renames are rare) and how long a failure is remembered. */
  ttlMs?: number;
  failureTtlMs?: number;
}

export interface ChannelNames {
  /** "#name", or null (DM, unknown, lookup failed or too slow). */
  lookup(channel: string, channelType?: string): Promise<string | null>;
}

interface Entry {
  name: Promise<string | null>;
  expires: number;
}

export function createChannelNames(opts: ChannelNamesOptions): ChannelNames {
  const clock = opts.clock ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
  const timeoutMs = opts.timeoutMs ?? 1500;
  const ttl = opts.ttlMs ?? 6 * 3_600_000;
  const failureTtl = opts.failureTtlMs ?? 10 * 60_000;
  const cache = new Map<string, Entry>();

  function fetchName(channel: string): Entry {
    const entry: Entry = { name: Promise.resolve(null), expires: clock() + ttl };
    entry.name = opts.info(channel).then(
      (c) => {
        const name = c && !c.is_im && !c.is_mpim && typeof c.name === 'string' && c.name !== '' ? `#${c.name}` : null;
        if (name === null) entry.expires = clock() + failureTtl;
        return name;
      },
      (e: unknown) => {
        entry.expires = clock() + failureTtl;
        opts.logger.debug({ src: 'slack', channel, err: (e as { data?: { error?: string } })?.data?.error ?? String((e as Error)?.message ?? e).slice(0, 100) }, 'slack: channel name not resolved');
        return null;
      },
    );
    return entry;
  }

  return {
    async lookup(channel, channelType) {
      // Direct messages have no name to show, and conversations.info would need im:read.
      if (!channel || channelType === 'im' || channelType === 'mpim' || channel.startsWith('D')) return null;
      let e = cache.get(channel);
      if (!e || e.expires <= clock()) {
        e = fetchName(channel);
        cache.set(channel, e);
      }
      // Concurrent pastes in one channel share one call; a slow call costs the name, not the reply.
      return Promise.race([e.name, sleep(timeoutMs).then(() => null)]);
    },
  };
}
