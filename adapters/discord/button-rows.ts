// The reply's action blocks → Discord button rows: 5 buttons per row, 5 rows, label ≤ 80, custom_id
// `lockdown:<action>:<incident>` ≤ 100 (custom-id.ts). A button that cannot be made is reported as
// dropped so the caller attaches the full report instead of losing it silently.

import { ButtonStyle, ComponentType } from 'discord.js';
import type { APIActionRowComponent, APIButtonComponentWithCustomId } from 'discord.js';
import type { ReplyBlock } from '../../bot/types.ts';
import { encodeCustomId } from './custom-id.ts';

const LIMITS = { buttonsPerRow: 5, rows: 5, buttonLabel: 80 } as const;

export function buttonRows(blocks: ReplyBlock[]): { rows: Array<APIActionRowComponent<APIButtonComponentWithCustomId>>; dropped: boolean } {
  const buttons: APIButtonComponentWithCustomId[] = [];
  let dropped = false;
  for (const b of blocks) {
    if (b.type !== 'actions') continue;
    for (const a of b.actions) {
      const id = encodeCustomId(a.id, b.incidentId);
      if (id === null) { dropped = true; continue; }
      const style = a.style === 'primary' ? ButtonStyle.Primary : a.style === 'danger' ? ButtonStyle.Danger : ButtonStyle.Secondary;
      buttons.push({ type: ComponentType.Button, style, label: a.label.slice(0, LIMITS.buttonLabel), custom_id: id });
    }
  }
  const rows: Array<APIActionRowComponent<APIButtonComponentWithCustomId>> = [];
  for (let k = 0; k < buttons.length; k += LIMITS.buttonsPerRow) {
    if (rows.length === LIMITS.rows) { dropped = true; break; }
    rows.push({ type: ComponentType.ActionRow, components: buttons.slice(k, k + LIMITS.buttonsPerRow) });
  }
  return { rows, dropped };
}
