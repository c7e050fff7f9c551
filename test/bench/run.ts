/**
 * `npm run bench [section...]`: runs every bench module (or the named ones) in this process and prints their figures, each
 * with the baseline measured in the same run and the ratio to it. Targets are reported, never asserted.
 * Writes test-output/bench.json as well.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchSection } from './types.ts';

const SECTIONS: Record<string, () => Promise<{ bench(): Promise<BenchSection> }>> = {
  asr: () => import('./asr.ts'),
  'asr-accuracy': () => import('./asr-accuracy.ts'),
  vad: () => import('./vad.ts'),
  pipeline: () => import('./pipeline.ts'),
  analysis: () => import('./analysis.ts'),
  jobs: () => import('./analysis-jobs.ts'),
  'jobs-embedded': () => import('./analysis-jobs-embedded.ts'),
  review: () => import('./review.ts'),
  screening: () => import('./screening.ts'),
  client: () => import('./client.ts'),
  interviews: () => import('./interviews.ts'),
  llm: () => import('./llm.ts'),
  auth: () => import('./auth.ts'),
};

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

function printSection(section: BenchSection): void {
  console.log(`\n## ${section.title}`);
  const rows = section.rows.map((row) => [
    row.name,
    `${format(row.value)} ${row.unit}`,
    row.baseline === undefined ? '' : `${format(row.baseline)} ${row.unit}`,
    row.baseline === undefined || row.baseline === 0 ? '' : `${(row.value / row.baseline).toFixed(2)}x`,
    row.target ?? '',
    row.note ?? '',
  ]);
  const header = ['figure', 'value', 'baseline', 'ratio', 'target', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const names = wanted.length > 0 ? wanted : Object.keys(SECTIONS);
  const unknown = names.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0) {
    console.error(`unknown bench section(s): ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`);
    process.exit(2);
  }
  const results: BenchSection[] = [];
  let failed = 0;
  for (const name of names) {
    const loader = SECTIONS[name];
    if (!loader) continue;
    const started = performance.now();
    try {
      const section = await (await loader()).bench();
      results.push(section);
      printSection(section);
      console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed++;
      console.error(`\n## ${name}: FAILED\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  const memory = process.memoryUsage();
  console.log(`\nprocess: rss ${(memory.rss / 1e6).toFixed(0)} MB, heap used ${(memory.heapUsed / 1e6).toFixed(0)} MB`);
  mkdirSync('test-output', { recursive: true });
  writeFileSync(path.join('test-output', 'bench.json'), JSON.stringify({ at: new Date().toISOString(), sections: results }, null, 2));
  process.exit(failed > 0 ? 1 : 0);
}

await main();
