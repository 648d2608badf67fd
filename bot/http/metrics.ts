// A tiny Prometheus text-format registry (exposition format 0.0.4): counters and summaries with
// labels, enough for /metrics (analyses, durations, replies, errors, digest runs) without a dependency.

type Labels = Record<string, string>;

interface Series {
  help: string;
  type: 'counter' | 'summary';
  values: Map<string, { labels: Labels; value: number; sum: number; count: number }>;
}

export interface Metrics {
  inc(name: string, labels?: Labels, by?: number): void;
  /** Records one observation (seconds) in a summary: exported as _sum and _count. */
  observe(name: string, value: number, labels?: Labels): void;
  get(name: string, labels?: Labels): number;
  render(): string;
}

const HELP: Record<string, [string, 'counter' | 'summary']> = {
  lockdown_analyses_total: ['Pastes analysed, by family and source platform', 'counter'],
  lockdown_analysis_duration_seconds: ['Time spent analysing one paste', 'summary'],
  lockdown_replies_total: ['Replies delivered or failed, by platform, kind and result', 'counter'],
  lockdown_errors_total: ['Errors turned into chat lines or HTTP errors, by code', 'counter'],
  lockdown_digest_runs_total: ['Digest slots handled, by result (sent, empty, taken, failed)', 'counter'],
  lockdown_commands_total: ['Slash commands handled, by command', 'counter'],
  lockdown_http_requests_total: ['HTTP requests, by route and status', 'counter'],
  lockdown_messages_total: ['Chat messages seen, by outcome', 'counter'],
};

function key(labels: Labels): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

function fmtLabels(labels: Labels): string {
  const ks = Object.keys(labels).sort();
  if (ks.length === 0) return '';
  return `{${ks.map((k) => `${k}="${String(labels[k]).replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`).join(',')}}`;
}

export function createMetrics(): Metrics {
  const series = new Map<string, Series>();
  const get = (name: string, type: 'counter' | 'summary'): Series => {
    let s = series.get(name);
    if (!s) {
      s = { help: HELP[name]?.[0] ?? name, type: HELP[name]?.[1] ?? type, values: new Map() };
      series.set(name, s);
    }
    return s;
  };
  const slot = (s: Series, labels: Labels) => {
    const k = key(labels);
    let v = s.values.get(k);
    if (!v) {
      v = { labels, value: 0, sum: 0, count: 0 };
      s.values.set(k, v);
    }
    return v;
  };
  // Declared series show up (at zero) before the first event, so dashboards and alerts see them.
  for (const [name, [, type]] of Object.entries(HELP)) get(name, type);
  return {
    inc(name, labels = {}, by = 1) {
      slot(get(name, 'counter'), labels).value += by;
    },
    observe(name, value, labels = {}) {
      const v = slot(get(name, 'summary'), labels);
      v.sum += value;
      v.count += 1;
    },
    get(name, labels = {}) {
      const v = series.get(name)?.values.get(key(labels));
      return v ? (series.get(name)!.type === 'summary' ? v.count : v.value) : 0;
    },
    render() {
      const out: string[] = [];
      for (const [name, s] of series) {
        out.push(`# HELP ${name} ${s.help}`, `# TYPE ${name} ${s.type}`);
        if (s.type === 'counter' && s.values.size === 0) out.push(`${name} 0`);
        for (const v of s.values.values()) {
          if (s.type === 'counter') out.push(`${name}${fmtLabels(v.labels)} ${v.value}`);
          else out.push(`${name}_sum${fmtLabels(v.labels)} ${v.sum}`, `${name}_count${fmtLabels(v.labels)} ${v.count}`);
        }
      }
      return `${out.join('\n')}\n`;
    },
  };
}
