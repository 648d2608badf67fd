// The human report of `lockdown analyze` (without --json): the same content as the chat reply, laid
// out for a terminal: family and title, then each finding with its chain, suspect lock, checklist
// and the crash commands that would confirm it.

import type { Analysis, Finding } from '../../analyzers/contract.ts';

export function analysisText(a: Analysis, source?: string): string {
  const out: string[] = [];
  out.push(`${source ? `${source}: ` : ''}${a.family}${a.title ? ` — ${a.title}` : ''}`);
  out.push(`signature ${a.signature.slice(0, 16)}  formats: ${a.formats.join(', ') || 'none'}`);
  if (a.keyFrames.length > 0) out.push(`key frames: ${a.keyFrames.join(' ← ')}`);
  const stuck = a.tasks.filter((t) => t.state === 'D' || t.state === 'R');
  if (a.tasks.length > 0) out.push(`tasks: ${a.tasks.length}${stuck.length > 0 ? ` (${stuck.map((t) => `${t.comm ?? '?'}:${t.pid ?? '?'} ${t.state}`).slice(0, 8).join(', ')}${stuck.length > 8 ? ', …' : ''})` : ''}`);
  if (a.findings.length === 0) out.push(a.family === 'not_kernel' ? 'No kernel trace recognised in this input.' : 'No finding: nothing in the trace matched a known hang mechanism.');
  a.findings.forEach((f, i) => out.push('', ...findingText(f, i + 1)));
  for (const n of a.notes ?? []) out.push(`note: ${n}`);
  return `${out.join('\n')}\n`;
}

function findingText(f: Finding, n: number): string[] {
  const out = [`${n}. ${f.headline}  [${f.pattern}${f.caseId ? `, case ${f.caseId}` : ''}, confidence ${Math.round(f.confidence * 100)}%]`];
  if (f.blockingChain.length > 0) {
    out.push('   blocking chain:');
    for (const l of f.blockingChain) out.push(`     ${l.task} waits on ${l.waitsOn}${l.heldBy ? ` held by ${l.heldBy}` : ''}`);
    if (f.cycle) out.push('     ↺ the chain closes on itself (deadlock)');
  }
  if (f.suspectLock) {
    const s = f.suspectLock;
    out.push(`   suspect lock: ${s.primitive} ${s.name ?? s.address ?? ''}${s.holder ? `, held by ${s.holder}` : ''} (${s.evidence})`);
  }
  if (f.keyFrames.length > 0) out.push(`   key frames: ${f.keyFrames.join(' ← ')}`);
  if (f.checklist.length > 0) out.push('   checklist:', ...f.checklist.map((c) => `     - ${c}`));
  if (f.nextSteps.length > 0) out.push('   to confirm:', ...f.nextSteps.map((c) => `     ${c}`));
  if (f.references.length > 0) out.push(`   references: ${f.references.join(', ')}`);
  return out;
}
