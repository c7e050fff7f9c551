/** The saved result file of an eval run, its printout, and the side-by-side comparison of two runs. */
import { z } from 'zod';
import { computeMetrics, metricRows, type CaseResult, type EvalMetrics, type MetricRow } from './metrics.ts';

/** What `npm run eval` saves (test-output/eval/*.json). */
export interface EvalRun {
  evalVersion: 1;
  startedAt: string;
  durationMs: number;
  llm: { kind: string; model: string; location: string };
  /** Prompt versions the scores were produced with, e.g. "answer-score@2+analysis-context@2+analysis-data@1". */
  promptVersions: string[];
  repeat: number;
  results: CaseResult[];
  metrics: EvalMetrics;
}

const SavedRun = z.object({
  evalVersion: z.literal(1),
  startedAt: z.string(),
  durationMs: z.number(),
  llm: z.object({ kind: z.string(), model: z.string(), location: z.string() }),
  promptVersions: z.array(z.string()),
  repeat: z.number(),
  results: z.array(z.record(z.string(), z.unknown())),
});

/** Reads a saved run; metrics are recomputed from its results, so files from older harness versions still compare. */
export function parseRun(text: string, name: string): EvalRun {
  const parsed = SavedRun.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${name} is not an eval result file: ${z.prettifyError(parsed.error)}`);
  const results = parsed.data.results as unknown as CaseResult[];
  return { ...parsed.data, evalVersion: 1, results, metrics: computeMetrics(results) };
}

/** A markdown table of one run's metrics. */
export function formatRun(run: EvalRun): string {
  const header = `${run.llm.model} (${run.llm.kind}) · ${run.promptVersions.join(', ')} · repeat ${run.repeat} · ${(run.durationMs / 1000).toFixed(0)} s`;
  const rows = metricRows(run.metrics).map((row) => [row.name, formatValue(row), row.detail]);
  return `${header}\n\n${table(['metric', 'value', 'detail'], rows)}`;
}

/** A markdown table of every case's first run: label, overall and verified quotes. */
export function formatCases(results: readonly CaseResult[]): string {
  const rows = results
    .filter((result) => result.repeat === 0)
    .map((result) => [
      result.caseId,
      result.kind,
      result.error ? `error: ${result.error.slice(0, 60)}` : (result.label ?? ''),
      result.overall === null ? '—' : result.overall.toFixed(1),
      result.quotes ? `${result.quotes.verified}/${result.quotes.claimed}` : '',
      `${(result.durationMs / 1000).toFixed(1)} s`,
    ]);
  return table(['case', 'kind', 'label', 'overall', 'quotes ok', 'time'], rows);
}

/** Two runs side by side, with the change of each headline figure (b − a). */
export function formatComparison(a: EvalRun, b: EvalRun): string {
  const rowsA = metricRows(a.metrics);
  const rowsB = metricRows(b.metrics);
  const rows = rowsA.map((rowA, index) => {
    const rowB = rowsB[index];
    const change = rowA.value !== null && rowB?.value !== null && rowB?.value !== undefined ? round1(rowB.value - rowA.value) : null;
    return [rowA.name, formatValue(rowA), rowB ? formatValue(rowB) : '—', change === null ? '—' : `${change > 0 ? '+' : ''}${change}`];
  });
  const label = (run: EvalRun): string => `${run.llm.model} · ${run.promptVersions.join(', ')}`;
  return `a: ${label(a)}\nb: ${label(b)}\n\n${table(['metric', 'a', 'b', 'b − a'], rows)}`;
}

function formatValue(row: MetricRow): string {
  if (row.value === null) return '—';
  if (row.unit === '%') return `${row.value.toFixed(1)} %`;
  if (row.unit === 'points') return `${row.value > 0 ? '+' : ''}${row.value.toFixed(2)}`;
  return String(row.value);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
