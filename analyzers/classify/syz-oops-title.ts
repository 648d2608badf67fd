// syzkaller titles of the crash reports that are not hangs (GPF, NULL dereference, KASAN, BUG_ON,
// WARNING and the other BUG:/INFO: kinds), following pkg/report/linux.go's formats and skip lists.

import { CALL_TRACE, RIP_RE, first, headerFrom, pick, type SyzTitle } from './syz-walk.ts';

export function oopsTitle(text: readonly string[], head: string): SyzTitle {
  const withFrame = (prefix: string, frame: string): SyzTitle => ({ title: prefix + frame, frame: frame === 'corrupted' ? null : frame });
  if (head.includes('general protection fault')) return withFrame('general protection fault in ', pick(text, [RIP_RE, CALL_TRACE, 'stack'], [], first));
  if (/BUG: (?:unable to handle kernel NULL pointer|kernel NULL pointer|Kernel NULL pointer)/.test(head)) {
    return withFrame('BUG: unable to handle kernel NULL pointer dereference in ', pick(text, [RIP_RE, CALL_TRACE, 'stack'], [], first));
  }
  if (/BUG: (?:unable to handle kernel paging request|unable to handle page fault for address)/.test(head)) {
    return withFrame('BUG: unable to handle kernel paging request in ', pick(text, [RIP_RE, CALL_TRACE, 'stack'], [], first));
  }
  const kasan = /BUG: KASAN: ([a-z-]{1,40}) in ([A-Za-z0-9_]{1,256})/.exec(head);
  if (kasan) {
    const rw = text.slice(0, 20).map((l) => /(Read|Write) of size/.exec(l)?.[1]).find(Boolean);
    const fn = pick(text, [/BUG: KASAN: (?:[a-z-]+) in ([A-Za-z0-9_]+)[.+]/, CALL_TRACE, 'stack'], [], first);
    return withFrame(`KASAN: ${kasan[1]} ${rw ?? ''}${rw ? ' ' : ''}in `, fn);
  }
  const kb = /kernel BUG at (.{1,200})$/.exec(head);
  if (kb) return { title: `kernel BUG at ${kb[1]}`, frame: null };
  if (/WARNING: .* at [\w\-/.]{1,200}\.[a-z]{1,3}:\d{1,7} /.test(head)) {
    const f = pick(text, [RIP_RE, 'stack'], [], first);
    const g = f === 'corrupted' ? pick(text, [CALL_TRACE, 'stack'], [], first) : f;
    return withFrame('WARNING in ', g);
  }
  for (const mk of ['BUG:', 'WARNING:', 'INFO:', 'UBSAN:', 'general protection fault', 'kernel BUG', 'Internal error: Oops', 'divide error:', 'stack segment:', 'Unable to handle kernel', 'PANIC: double fault']) {
    if (head.includes(mk)) return { title: headerFrom(head, mk).slice(0, 200), frame: null };
  }
  return { title: head.trim().slice(0, 200), frame: null };
}
