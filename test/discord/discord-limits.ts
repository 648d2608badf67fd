// Checks a message payload (as sent to Discord's REST API) against the documented limits, independently
// of the renderer's own arithmetic, so a renderer bug cannot hide behind its own constants.

import assert from 'node:assert/strict';

interface EmbedLike {
  title?: string;
  description?: string;
  footer?: { text: string };
  author?: { name: string };
  fields?: Array<{ name: string; value: string }>;
}
interface PayloadLike {
  content?: string | null;
  embeds?: EmbedLike[];
  components?: Array<{ components: Array<{ custom_id?: string; label?: string }> }>;
}

export function assertWithinDiscordLimits(p: PayloadLike, where = 'payload'): void {
  assert.ok((p.content ?? '').length <= 2000, `${where}: content ${(p.content ?? '').length} > 2000`);
  const embeds = p.embeds ?? [];
  assert.ok(embeds.length <= 10, `${where}: ${embeds.length} embeds > 10`);
  let total = 0;
  for (const e of embeds) {
    assert.ok((e.title ?? '').length <= 256, `${where}: title too long`);
    assert.ok((e.description ?? '').length <= 4096, `${where}: description ${(e.description ?? '').length} > 4096`);
    assert.ok((e.fields ?? []).length <= 25, `${where}: more than 25 fields`);
    total += (e.title ?? '').length + (e.description ?? '').length + (e.footer?.text ?? '').length + (e.author?.name ?? '').length;
    for (const f of e.fields ?? []) {
      assert.ok(f.name.length >= 1 && f.name.length <= 256, `${where}: field name length ${f.name.length}`);
      assert.ok(f.value.length >= 1 && f.value.length <= 1024, `${where}: field value length ${f.value.length}`);
      total += f.name.length + f.value.length;
    }
    assert.ok(e.description === undefined || e.description.length > 0, `${where}: empty description`);
  }
  assert.ok(total <= 6000, `${where}: ${total} embed characters > 6000`);
  const rows = p.components ?? [];
  assert.ok(rows.length <= 5, `${where}: more than 5 rows`);
  for (const r of rows) {
    assert.ok(r.components.length >= 1 && r.components.length <= 5, `${where}: row of ${r.components.length} buttons`);
    for (const b of r.components) {
      assert.ok(b.custom_id !== undefined && b.custom_id.length <= 100, `${where}: custom_id`);
      assert.ok((b.label ?? '').length <= 80, `${where}: label`);
    }
  }
}

/** Every visible string of a payload, for "is this item shown somewhere" checks. */
export function visibleText(p: PayloadLike): string {
  const parts: string[] = [p.content ?? ''];
  for (const e of p.embeds ?? []) {
    parts.push(e.title ?? '', e.description ?? '');
    for (const f of e.fields ?? []) parts.push(f.name, f.value);
  }
  return parts.join('\n');
}
