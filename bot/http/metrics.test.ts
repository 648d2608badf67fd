import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from './metrics.ts';

test('Prometheus text: declared series at zero, labelled counters, summaries with sum and count, escaped labels', () => {
  const m = createMetrics();
  const empty = m.render();
  assert.match(empty, /# TYPE lockdown_analyses_total counter\nlockdown_analyses_total 0/);
  assert.match(empty, /# TYPE lockdown_analysis_duration_seconds summary/);
  m.inc('lockdown_analyses_total', { family: 'hung_task', source: 'slack' });
  m.inc('lockdown_analyses_total', { source: 'slack', family: 'hung_task' });
  m.observe('lockdown_analysis_duration_seconds', 0.25);
  m.observe('lockdown_analysis_duration_seconds', 0.5);
  m.inc('lockdown_errors_total', { code: 'a"b\\c' });
  const out = m.render();
  assert.match(out, /^lockdown_analyses_total\{family="hung_task",source="slack"\} 2$/m);
  assert.match(out, /^lockdown_analysis_duration_seconds_sum 0\.75$/m);
  assert.match(out, /^lockdown_analysis_duration_seconds_count 2$/m);
  assert.match(out, /^lockdown_errors_total\{code="a\\"b\\\\c"\} 1$/m);
  assert.equal(m.get('lockdown_analyses_total', { family: 'hung_task', source: 'slack' }), 2);
});
