// The one `/lockdown` grammar for every platform: usage lines (help) and examples (usage errors).

export interface UsageLine {
  name: string;
  usage: string;
  example: string;
  summary: string;
}

export const USAGE_LINES: readonly UsageLine[] = [
  { name: 'analyze', usage: 'analyze <text>', example: 'analyze INFO: task rmmod:31969 blocked for more than 120 seconds.', summary: 'analyse a pasted trace (or the attached file)' },
  { name: 'list', usage: 'list [open|all] [--channel]', example: 'list open --channel', summary: 'list incidents (open by default; --channel: this channel only)' },
  { name: 'show', usage: 'show <id>', example: 'show LD-42', summary: 'show one incident with its occurrences and history' },
  { name: 'ack', usage: 'ack <id>', example: 'ack LD-42', summary: 'acknowledge: someone is on it' },
  { name: 'resolve', usage: 'resolve <id> [note]', example: 'resolve LD-42 fixed by the irqsave patch', summary: 'resolve (a new occurrence reopens it as a regression)' },
  { name: 'reopen', usage: 'reopen <id>', example: 'reopen LD-42', summary: 'reopen a resolved, muted or duplicate incident' },
  { name: 'dup', usage: 'dup <id> <of-id>', example: 'dup LD-43 LD-42', summary: 'mark as duplicate of another incident' },
  { name: 'mute', usage: 'mute <id> [for 7d]', example: 'mute LD-42 for 7d', summary: 'silence an incident for a while (h, d or w; default 7d)' },
  { name: 'assign', usage: 'assign <id> <user>', example: 'assign LD-42 @alice', summary: 'set the owner' },
  { name: 'digest', usage: 'digest [now|preview]', example: 'digest preview', summary: 'preview the digest, or post it to this channel now' },
  { name: 'cases', usage: 'cases', example: 'cases', summary: 'list the documented cases the checklists come from' },
  { name: 'help', usage: 'help', example: 'help', summary: 'this list' },
];

export function usageOf(name: string): UsageLine | undefined {
  return USAGE_LINES.find((u) => u.name === name);
}
