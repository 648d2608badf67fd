// Button custom_id ⇄ (action, incident): `lockdown:ack:LD-4`. Discord caps custom_id at 100 characters
// and echoes it back verbatim on a press, so it is the only state a button carries.

import type { ActionId } from '../../bot/types.ts';

const PREFIX = 'lockdown';
const MAX_CUSTOM_ID = 100;
const ACTIONS: readonly ActionId[] = ['ack', 'resolve', 'reopen', 'mute'];

/** null when the id would exceed Discord's limit (the caller reports the button as dropped). */
export function encodeCustomId(action: ActionId, incidentId: string): string | null {
  const id = `${PREFIX}:${action}:${incidentId}`;
  return id.length <= MAX_CUSTOM_ID ? id : null;
}

/** null for anything that is not one of our buttons (other bots' components, stale formats). */
export function decodeCustomId(customId: string): { action: ActionId; incidentId: string } | null {
  if (customId.length > MAX_CUSTOM_ID) return null;
  const parts = customId.split(':');
  if (parts.length !== 3 || parts[0] !== PREFIX) return null;
  const action = ACTIONS.find((a) => a === parts[1]);
  if (!action || !/^[A-Za-z0-9_-]{1,80}$/.test(parts[2])) return null;
  return { action, incidentId: parts[2] };
}
