// The shipped Slack manifest asks for what the adapter uses: a missing scope or event subscription is
// a silent failure in Slack (no events, `missing_scope` on a reply), so check it against the code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SLACK_EVENTS_PATH } from '../../adapters/slack/index.ts';

const manifest = readFileSync(new URL('../../adapters/slack/manifest.yml', import.meta.url), 'utf8');

/** The `- item` lines of a YAML block list under `key:` (comments dropped). Enough for this file. */
function listUnder(key: string): string[] {
  const lines = manifest.split('\n');
  const at = lines.findIndex((l) => l.trim() === `${key}:`);
  assert.ok(at >= 0, `${key}: not in the manifest`);
  const indent = lines[at]!.length - lines[at]!.trimStart().length;
  const items: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (l.trim() === '' || l.trimStart().startsWith('#')) continue;
    if (l.length - l.trimStart().length <= indent) break;
    const m = /^\s*-\s+([^#\s]+)/.exec(l);
    if (m) items.push(m[1]!);
  }
  return items;
}

test('bot scopes: everything the adapter calls', () => {
  // chat.postMessage/update/postEphemeral, /lockdown, message.* history, files.info + url_private,
  // files.uploadV2, app_mention, reactions.add, conversations.info (channel names)
  assert.deepEqual(listUnder('bot').sort(), ['app_mentions:read', 'channels:history', 'channels:read', 'chat:write', 'commands', 'files:read', 'files:write', 'groups:history', 'groups:read', 'im:history', 'reactions:write']);
});

test('event subscriptions: the messages, App Home and mentions the adapter listens to', () => {
  assert.deepEqual(listUnder('bot_events').sort(), ['app_home_opened', 'app_mention', 'message.channels', 'message.groups', 'message.im']);
});

test('the command, events and interactivity all point at the receiver path; Home tab on', () => {
  assert.match(manifest, /- command: \/lockdown\n/);
  const urls = [...manifest.matchAll(/(?:url|request_url): (\S+)/g)].map((m) => new URL(m[1]!).pathname);
  assert.deepEqual(urls, [SLACK_EVENTS_PATH, SLACK_EVENTS_PATH, SLACK_EVENTS_PATH]);
  assert.match(manifest, /interactivity:\n\s+is_enabled: true/);
  assert.match(manifest, /home_tab_enabled: true/);
});
