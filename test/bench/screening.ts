/**
 * Batch screening throughput and Viva's own cost per resume. The LLM is the fake vLLM with a known time-to-first-token,
 * so the ideal rate (concurrency × 60 000 / delay) and the raw openai SDK making the same calls in the same process are
 * the baselines; what Viva adds on top is extraction, redaction, prompt rendering, validation, quote checks and state.
 * Run alone: npx tsx test/bench/screening.ts
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import OpenAI from 'openai';
import { redactResume } from '../../server/prep/blind.ts';
import { extractText } from '../../server/prep/extract.ts';
import { verifyMatch } from '../../server/prep/match.ts';
import { createPrepPrompts } from '../../server/prep/prompts.ts';
import { JobMatchOutput } from '../../protocol/prep.ts';
import { screenResumes } from '../../server/prep/screen.ts';
import { toResponseJsonSchema } from '../../server/llm/structured.ts';
import { createPromptLibrary } from '../../server/prompts.ts';
import { FAKE_DEFAULT_MODEL, startFakeLlmServer } from '../fakes/fake-llm-server.ts';
import { makeDocx, makePdf } from '../prep/documents.ts';
import { documentsMessage, fakeJobMatch, KNOWN_SKILLS, prepDepsFor, prepResponder } from '../prep/prep-fake.ts';
import type { BenchRow, BenchSection } from './types.ts';

const LLM_DELAY_MS = 200;
const PER_KIND = 12;
const CONCURRENCY = 4;
const JD = 'Platform Engineer\nRequired: Go, Kubernetes, PostgreSQL, Kafka\nNice to have: Terraform, Redis';

function resumeText(index: number): string {
  const skills = KNOWN_SKILLS.filter((_, skill) => (index >> skill) & 1 || skill === index % KNOWN_SKILLS.length);
  return [
    `Candidate ${String.fromCharCode(65 + (index % 26))} Person${index}`,
    `Email: c${index}@example.com | Phone: +1 (555) 200-${String(1000 + index)}`,
    'Experience',
    ...skills.map((skill, n) => `- Ran ${skill} in production for ${n + 1} years at company ${index}`),
    ...Array.from({ length: 25 }, (_, line) => `- Delivered project ${line} on time, with measurable impact on revenue and reliability.`),
  ].join('\n');
}

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

async function timePerItem(items: number, run: (index: number) => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < items; index++) await run(index);
  return (performance.now() - started) / items;
}

/** Measures screening throughput and per-resume overhead against the fake LLM's known delay. */
export async function bench(): Promise<BenchSection> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'viva-bench-screening-'));
  const server = await startFakeLlmServer({ respond: prepResponder({ timeToFirstTokenMs: LLM_DELAY_MS }) });
  const rows: BenchRow[] = [];
  try {
    const files: Record<'text' | 'docx' | 'pdf', Uint8Array[]> = { text: [], docx: [], pdf: [] };
    for (let index = 0; index < PER_KIND; index++) {
      const text = resumeText(index);
      const lines = text.split('\n');
      files.text.push(new TextEncoder().encode(text));
      files.docx.push(await makeDocx(text));
      files.pdf.push(await makePdf([lines.slice(0, 20).join('\n'), lines.slice(20).join('\n')], { footer: 'Page {page} of {pages}' }));
    }
    const folder = path.join(dir, 'resumes');
    await mkdir(folder);
    for (const [kind, list] of Object.entries(files)) {
      for (const [index, bytes] of list.entries()) await writeFile(path.join(folder, `${kind}-${index}.${kind === 'text' ? 'txt' : kind}`), bytes);
    }
    const total = PER_KIND * 3;

    // Viva's own per-resume steps, without any LLM.
    for (const kind of ['text', 'docx', 'pdf'] as const) {
      await extractText(files[kind][0]!); // warm-up (pdf.js and mammoth load lazily)
      rows.push({ name: `extract text: ${kind === 'pdf' ? '2-page PDF' : kind === 'docx' ? '.docx' : 'plain text'}`, value: round(await timePerItem(PER_KIND, (i) => extractText(files[kind][i]!)), 2), unit: 'ms/file' });
    }
    const texts = Array.from({ length: PER_KIND }, (_, i) => resumeText(i));
    rows.push({ name: 'blind-mode redaction', value: round(await timePerItem(PER_KIND * 10, (i) => redactResume(texts[i % PER_KIND]!)), 3), unit: 'ms/resume' });
    const library = createPromptLibrary();
    const prompts = createPrepPrompts(library);
    rows.push({ name: 'prompt rendering (match-job)', value: round(await timePerItem(PER_KIND * 10, (i) => prompts.render('match-job', 'en', {}, { jobDescription: JD, resume: texts[i % PER_KIND]! })), 3), unit: 'ms/resume' });
    const outputs = texts.map((text) => JobMatchOutput.parse(fakeJobMatch(documentsMessage({ jobDescription: JD, resume: text }))));
    rows.push({
      name: 'validate + verify quotes of one match',
      value: round(await timePerItem(PER_KIND * 10, (i) => verifyMatch(JobMatchOutput.parse(outputs[i % PER_KIND]), texts[i % PER_KIND]!, { blind: false, language: 'en', model: 'm', promptVersion: 'v' })), 3),
      unit: 'ms/resume',
    });

    // Baseline: the raw SDK making the same calls (same prompts, same fake), with the same concurrency.
    const openai = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
    const schema = toResponseJsonSchema(JobMatchOutput);
    const rawCall = async (index: number): Promise<void> => {
      const { messages } = prompts.render('match-job', 'en', {}, { jobDescription: JD, resume: texts[index % PER_KIND]! });
      const stream = await openai.chat.completions.create({
        model: FAKE_DEFAULT_MODEL,
        messages,
        stream: true,
        response_format: { type: 'json_schema', json_schema: { name: 'job_match', schema, strict: true } },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      JSON.parse(text);
    };
    const rawRun = async (concurrency: number, count: number): Promise<number> => {
      let next = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < count) await rawCall(next++);
      }));
      return performance.now() - started;
    };
    await rawRun(1, 2); // warm-up: connection pool, JIT

    const vivaRun = async (concurrency: number, count?: number): Promise<number> => {
      const stateDir = await mkdtemp(path.join(dir, 'state-'));
      const resumes = count === undefined ? [folder] : Array.from({ length: count }, (_, i) => path.join(folder, `${['text', 'docx', 'pdf'][i % 3]}-${Math.floor(i / 3)}.${['txt', 'docx', 'pdf'][i % 3]}`));
      const started = performance.now();
      const result = await screenResumes(prepDepsFor(server.baseUrl), { jd: JD, resumes, stateDir, concurrency, language: 'en' });
      if (result.ranked.length !== (count ?? total)) throw new Error(`bench: expected ${count ?? total} ranked, got ${result.ranked.length}`);
      return performance.now() - started;
    };

    const vivaParallelMs = await vivaRun(CONCURRENCY);
    const rawParallelMs = await rawRun(CONCURRENCY, total);
    rows.push({
      name: `throughput, ${total} resumes (text/.docx/PDF), concurrency ${CONCURRENCY}`,
      value: round((total / vivaParallelMs) * 60_000),
      unit: 'resumes/min',
      baseline: round((total / rawParallelMs) * 60_000),
      note: `baseline: raw SDK, same calls; ideal ${round((CONCURRENCY * 60_000) / LLM_DELAY_MS)}/min at ${LLM_DELAY_MS} ms per call`,
    });

    const serialCount = 15;
    const vivaSerialMs = await vivaRun(1, serialCount);
    const rawSerialMs = await rawRun(1, serialCount);
    rows.push({
      name: `time per resume, concurrency 1 (fake LLM ${LLM_DELAY_MS} ms)`,
      value: round(vivaSerialMs / serialCount),
      unit: 'ms',
      baseline: round(rawSerialMs / serialCount),
      note: 'baseline: raw SDK call alone',
    });
    rows.push({
      name: 'Viva overhead per resume (extract + prompt + validate + quotes + state), concurrency 1',
      value: round((vivaSerialMs - rawSerialMs) / serialCount),
      unit: 'ms',
      baseline: LLM_DELAY_MS,
      note: 'baseline: the fake LLM’s own delay per call',
    });
    return { title: `Batch screening (fake vLLM, ${LLM_DELAY_MS} ms per call)`, rows };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const section = await bench();
  console.log(section.title);
  for (const row of section.rows) {
    console.log(`  ${row.name}: ${row.value} ${row.unit}${row.baseline === undefined ? '' : ` (baseline ${row.baseline})`}${row.note ? ` — ${row.note}` : ''}`);
  }
}
