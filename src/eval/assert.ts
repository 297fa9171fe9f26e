/**
 * Metric gates for CI: `accuracy>=0.85`, `perplexity<12`, `accuracy>=baseline+0.10`,
 * `mae<=0.8*baseline`. `baseline` is the task's simple baseline for the same metric on the same split.
 */
import { UsageError } from '../util/errors.js';

export type Op = '>=' | '<=' | '>' | '<' | '==';

export interface Assertion {
  /** as written */
  text: string;
  metric: string;
  op: Op;
  /** value = scale × (baseline or 1) + offset */
  usesBaseline: boolean;
  scale: number;
  offset: number;
}

export interface AssertionResult {
  assertion: string;
  metric: string;
  op: Op;
  actual: number;
  expected: number;
  /** baseline value used on the right-hand side, if any */
  baseline: number | null;
  passed: boolean;
  /** by how much the gate passes (> 0) or fails (< 0), in the metric's units */
  margin: number;
}

const NUM = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?`;
const FORM = new RegExp(String.raw`^([A-Za-z_][\w/+.-]*?)\s*(>=|<=|==|>|<)\s*(.+)$`);
const RHS = [
  { re: new RegExp(`^(${NUM})$`, 'i'), f: (m: RegExpMatchArray) => ({ usesBaseline: false, scale: 0, offset: Number(m[1]) }) },
  { re: new RegExp(String.raw`^baseline\s*(?:([-+])\s*(${NUM}))?$`, 'i'), f: (m: RegExpMatchArray) => ({ usesBaseline: true, scale: 1, offset: m[1] ? Number(m[1] + m[2]) : 0 }) },
  {
    re: new RegExp(String.raw`^(${NUM})\s*\*\s*baseline\s*(?:([-+])\s*(${NUM}))?$`, 'i'),
    f: (m: RegExpMatchArray) => ({ usesBaseline: true, scale: Number(m[1]), offset: m[2] ? Number(m[2] + m[3]) : 0 }),
  },
  { re: new RegExp(String.raw`^baseline\s*\*\s*(${NUM})$`, 'i'), f: (m: RegExpMatchArray) => ({ usesBaseline: true, scale: Number(m[1]), offset: 0 }) },
];

const HELP = 'write METRIC OP VALUE with OP one of >= <= > < ==, e.g. "accuracy>=0.85", "perplexity<12", "accuracy>=baseline+0.10", "mae<=0.8*baseline"';

export function parseAssertion(text: string): Assertion {
  const m = FORM.exec(text.trim());
  const rhs = m?.[3].trim() ?? '';
  for (const r of RHS) {
    const hit = m && r.re.exec(rhs);
    if (hit) return { text: text.trim(), metric: m[1], op: m[2] as Op, ...r.f(hit) };
  }
  throw new UsageError(`--assert "${text}": malformed assertion; ${HELP}.`);
}

/** The baseline's value for `metric`: the key itself, or the shortest `<name>_<metric>` (majority_accuracy, unigram_perplexity, naive_mae…). */
export function baselineFor(baseline: Record<string, number> | null, metric: string): number | undefined {
  if (!baseline) return undefined;
  if (metric in baseline) return baseline[metric];
  const keys = Object.keys(baseline).filter((k) => k.endsWith(`_${metric}`)).sort((a, b) => a.length - b.length);
  return keys.length ? baseline[keys[0]] : undefined;
}

const compare = (a: number, op: Op, b: number) => (op === '>=' ? a >= b : op === '<=' ? a <= b : op === '>' ? a > b : op === '<' ? a < b : a === b);

/**
 * Checks every assertion against the metrics; a metric the task lacks, or a baseline it has not,
 * is a usage error (exit 2) listing what is available, raised before any result is reported.
 */
export function checkAssertions(list: Assertion[], metrics: Record<string, number>, baseline: Record<string, number> | null): AssertionResult[] {
  const have = Object.keys(metrics);
  const problems: string[] = [];
  for (const a of list) {
    if (!(a.metric in metrics)) problems.push(`--assert "${a.text}": this task reports no metric \`${a.metric}\` (available: ${have.join(', ')})`);
    else if (a.usesBaseline && baselineFor(baseline, a.metric) === undefined) {
      const b = baseline ? Object.keys(baseline).join(', ') : 'none';
      problems.push(`--assert "${a.text}": the baseline has no value for \`${a.metric}\` (baseline metrics: ${b})`);
    }
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
  return list.map((a) => {
    const actual = metrics[a.metric];
    const base = a.usesBaseline ? baselineFor(baseline, a.metric)! : null;
    const expected = a.scale * (base ?? 0) + a.offset;
    const passed = compare(actual, a.op, expected);
    const margin = a.op === '==' ? -Math.abs(actual - expected) : a.op.startsWith('>') ? actual - expected : expected - actual;
    return { assertion: a.text, metric: a.metric, op: a.op, actual, expected, baseline: base, passed, margin };
  });
}

/** One line per result: `FAIL accuracy>=0.85: accuracy is 0.7912, expected >= 0.85 (short by 0.0588)`. */
export function describeResult(r: AssertionResult, fmt: (v: number) => string = (v) => String(+v.toPrecision(6))): string {
  const base = r.baseline !== null ? ` (baseline ${fmt(r.baseline)})` : '';
  const by = r.passed ? `passes by ${fmt(Math.abs(r.margin))}` : `short by ${fmt(Math.abs(r.margin))}`;
  return `${r.passed ? 'ok  ' : 'FAIL'} ${r.assertion}: ${r.metric} is ${fmt(r.actual)}, expected ${r.op} ${fmt(r.expected)}${base} (${by})`;
}
