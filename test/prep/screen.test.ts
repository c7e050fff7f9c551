import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScreen } from '../../server/cli/screen.ts';
import { csvField, renderReport, toCsv } from '../../server/prep/screen-report.ts';
import { screenResumes, type ScreenProgress } from '../../server/prep/screen.ts';
import { FAKE_DEFAULT_MODEL, startFakeLlmServer, type FakeLlmServer } from '../fakes/fake-llm-server.ts';
import { hasCjkFont, makeDocx, makePdf, makeScannedPdf } from './documents.ts';
import { KNOWN_SKILLS, prepDepsFor, prepResponder } from './prep-fake.ts';

const JD = `Platform Engineer
Required: Go, Kubernetes, PostgreSQL, Kafka
Nice to have: Terraform, Redis`;

const FIRST_NAMES = ['Alice', 'Bruno', 'Chen', 'Dana', 'Emeka', 'Farah', 'Goran', 'Hana', 'Ivan', 'Julia'];
const LAST_NAMES = ['Smith', 'Okafor', 'Novak', 'Tanaka', 'Silva', 'Kowalski', 'Haddad', 'Larsen', 'Moreau', 'Reyes'];

/** A distinct resume: name, contacts and a skill set that varies with `index`. */
function resumeText(index: number): string {
  const name = `${FIRST_NAMES[index % 10]} ${LAST_NAMES[Math.floor(index / 10) % 10]}`;
  const skills = KNOWN_SKILLS.filter((_, skill) => (index >> skill) & 1 || skill === index % KNOWN_SKILLS.length);
  return [
    name,
    `Email: candidate${index}@example.com | Phone: +1 (555) ${String(100 + index).padStart(3, '0')}-${String(1000 + index)}`,
    'Experience',
    ...skills.map((skill, n) => `- Used ${skill} in production for ${n + 1} years, "team, of ${index}"`),
    `Resume number ${index}`,
  ].join('\n');
}

/** A tiny RFC 4180 reader, to check the CSV round-trips. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += char;
  }
  return rows;
}

let fake: FakeLlmServer;
let root: string;

beforeAll(async () => {
  fake = await startFakeLlmServer({ respond: prepResponder({ timeToFirstTokenMs: 2 }) });
  root = await mkdtemp(path.join(os.tmpdir(), 'viva-screen-'));
});
afterAll(async () => {
  await fake.close();
  await rm(root, { recursive: true, force: true });
});

describe('batch screening', () => {
  it('ranks 200 resumes exactly once across an interrupted run and its resumption, listing the corrupt one', async () => {
    const folder = path.join(root, 'batch', 'resumes');
    const outDir = path.join(root, 'batch', 'out');
    await mkdir(folder, { recursive: true });
    for (let index = 0; index < 199; index++) {
      const name = `r${String(index).padStart(3, '0')}`;
      if (index % 2 === 0) await writeFile(path.join(folder, `${name}.docx`), await makeDocx(resumeText(index)));
      else await writeFile(path.join(folder, `${name}.txt`), resumeText(index));
    }
    // A .docx that is cut short: a zip without its central directory.
    const corrupt = await makeDocx(resumeText(999));
    await writeFile(path.join(folder, 'r199-corrupt.docx'), corrupt.slice(0, 300));
    await writeFile(path.join(folder, '.DS_Store'), 'finder junk');

    const deps = prepDepsFor(fake.baseUrl);
    const controller = new AbortController();
    const progress: ScreenProgress[] = [];
    fake.requests.length = 0;
    const first = await screenResumes(deps, {
      jd: JD,
      resumes: [folder],
      stateDir: outDir,
      concurrency: 4,
      signal: controller.signal,
      onProgress: (update) => {
        progress.push(update);
        if (update.done >= 100) controller.abort();
      },
    });
    expect(first.status).toBe('aborted');
    expect(first.total).toBe(200);
    expect(first.ranked.length).toBeGreaterThanOrEqual(95);
    expect(first.ranked.length).toBeLessThan(110);
    expect(first.pending.length).toBe(200 - first.ranked.length - first.failed.length);
    expect(Math.max(...progress.map((update) => update.inFlight))).toBeLessThanOrEqual(4);
    const firstRequests = fake.chatRequests().length;
    // Calls cut by the abort are not ranked and are screened again.
    expect(firstRequests).toBeGreaterThanOrEqual(first.ranked.length);

    fake.requests.length = 0;
    const second = await screenResumes(deps, { jd: JD, resumes: [folder], stateDir: outDir, concurrency: 4 });
    expect(second.status).toBe('complete');
    expect(second.resumed).toBe(first.ranked.length);
    // Finished resumes were not sent to the model again.
    expect(fake.chatRequests().length).toBe(199 - first.ranked.length);
    expect(second.ranked).toHaveLength(199);
    expect(second.pending).toEqual([]);
    expect(second.failed).toEqual([
      expect.objectContaining({ file: path.join(folder, 'r199-corrupt.docx'), code: 'corrupt', retryable: false }),
    ]);
    expect(second.failed[0]?.reason).toBe('corrupt or truncated .docx (the zip archive is incomplete)');
    const files = second.ranked.map((entry) => entry.file);
    expect(new Set(files).size).toBe(199);
    expect(files.some((file) => file.includes('.DS_Store'))).toBe(false);
    expect(second.ranked.map((entry) => entry.rank)).toEqual(Array.from({ length: 199 }, (_, i) => i + 1));
    const scores = second.ranked.map((entry) => entry.match.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(second.ranked[0]?.candidateName).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);

    // The state file has one line per ranked resume: nothing was done twice.
    const stateLines = (await readFile(second.stateFile, 'utf8')).trim().split('\n');
    expect(stateLines).toHaveLength(199);

    const csv = toCsv(second);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const rows = readCsv(csv.slice(1));
    expect(rows[0]).toEqual(['rank', 'file', 'candidate', 'score', 'skills_matched', 'skills_missing', 'red_flags', 'experience', 'summary', 'unverified_claims', 'status', 'reason']);
    expect(rows).toHaveLength(1 + 199 + 1);
    expect(rows.at(-1)?.slice(10)).toEqual(['failed', 'corrupt: corrupt or truncated .docx (the zip archive is incomplete)']);
    expect(rows.filter((row) => row[10] === 'ranked')).toHaveLength(199);

    const json = JSON.parse(renderReport(second, 'json')) as typeof second;
    expect(json.ranked).toHaveLength(199);
    const html = renderReport(second, 'html');
    expect(html.match(/<tr>\n<td class="num">/g)).toHaveLength(199);
    expect(html).toContain('r199-corrupt.docx');
    expect(html).not.toMatch(/<script|src=|href=/i);
  });

  it('in blind mode records blind: true and hides names from the ranking and the model', async () => {
    const folder = path.join(root, 'blind');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'a.txt'), resumeText(3));
    await writeFile(path.join(folder, 'b.txt'), resumeText(12));
    fake.requests.length = 0;
    const result = await screenResumes(prepDepsFor(fake.baseUrl), { jd: JD, resumes: [folder], stateDir: folder, blind: true });
    expect(result.blind).toBe(true);
    expect(result.ranked.every((entry) => entry.candidateName === null && entry.match.blind)).toBe(true);
    for (const request of fake.chatRequests()) {
      expect(request.rawBody).not.toMatch(/Dana|Chen|Smith|Okafor|example\.com|555/);
    }
    const html = renderReport(result, 'html');
    expect(html).toContain('Blind mode');
    // When it finished, as a date a reader can read (the ISO value only in the <time> attribute).
    const finished = html.match(/<time datetime="([^"]+)">([^<]+)<\/time>/);
    expect(finished?.[1]).toBe(result.finishedAt);
    expect(finished?.[2]).toContain(String(new Date(result.finishedAt).getFullYear()));
    expect(finished?.[2]).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect(html.replace(/datetime="[^"]+"/g, '')).not.toContain(result.finishedAt);
  });

  it('ranks byte-identical files once, listing the copy, and lists missing paths', async () => {
    const folder = path.join(root, 'dupes');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'one.txt'), resumeText(5));
    await writeFile(path.join(folder, 'copy-of-one.txt'), resumeText(5));
    const result = await screenResumes(prepDepsFor(fake.baseUrl), {
      jd: JD,
      resumes: [folder, path.join(folder, 'missing.pdf')],
      stateDir: folder,
      concurrency: 2,
    });
    expect(result.ranked).toHaveLength(1);
    expect([result.ranked[0]?.file, ...(result.ranked[0]?.duplicateFiles ?? [])].sort()).toEqual([
      path.join(folder, 'copy-of-one.txt'),
      path.join(folder, 'one.txt'),
    ]);
    expect(result.failed).toEqual([expect.objectContaining({ file: path.join(folder, 'missing.pdf'), code: 'not-found' })]);
  });

  it('lists resumes the LLM failed on as retryable, and screens them on the next run', async () => {
    const folder = path.join(root, 'llm-down');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'a.txt'), resumeText(7));
    const down = await startFakeLlmServer({ respond: () => ({ kind: 'error', status: 503, message: 'model is loading' }) });
    const failedRun = await screenResumes(prepDepsFor(down.baseUrl), { jd: JD, resumes: [folder], stateDir: folder });
    await down.close();
    expect(failedRun.failed).toEqual([expect.objectContaining({ code: 'llm-error', retryable: true })]);
    expect(failedRun.failed[0]?.reason).toContain('model is loading');
    const retried = await screenResumes(prepDepsFor(fake.baseUrl), { jd: JD, resumes: [folder], stateDir: folder });
    expect(retried.ranked).toHaveLength(1);
    expect(retried.failed).toEqual([]);
  });

  it('defuses spreadsheet formulas and quotes CSV fields', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField(-5)).toBe('-5');
    expect(csvField('张伟')).toBe('张伟');
  });
});

describe('viva screen CLI', () => {
  const output = () => {
    const chunks: string[] = [];
    return { write: (text: string) => chunks.push(text), text: () => chunks.join(''), isTTY: false };
  };
  const env = () => ({ VIVA_LLM_BASE_URL: fake.baseUrl, VIVA_LLM_MODEL: FAKE_DEFAULT_MODEL, VIVA_LLM_MAX_RETRIES: '0' });

  it('screens a folder of PDF, .docx and text resumes into HTML, CSV and JSON reports', async () => {
    const folder = path.join(root, 'cli');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'jd.md'), `# ${JD}`);
    await writeFile(path.join(folder, 'alice.pdf'), await makePdf([resumeText(1)]));
    await writeFile(path.join(folder, 'bruno.docx'), await makeDocx(resumeText(2)));
    await writeFile(path.join(folder, 'chen.txt'), resumeText(3));
    await writeFile(path.join(folder, 'scan.pdf'), await makeScannedPdf(1));
    if (hasCjkFont()) {
      await writeFile(path.join(folder, 'zhang.pdf'), await makePdf(['张伟\n电话：13812345678\n- 负责 Go 和 Kubernetes 平台开发'], { cjk: true }));
    }
    const resumes = path.join(folder);
    const stdout = output();
    const stderr = output();
    const outBase = path.join(folder, 'ranking');
    const code = await runScreen(
      ['--jd', path.join(folder, 'jd.md'), resumes, '--out', `${outBase}.html`, '--out', `${outBase}.csv`, '--out', `${outBase}.json`, '--concurrency', '2'],
      { stdout, stderr, env: env() },
    );
    expect(stderr.text()).toContain(`failed: ${path.join(folder, 'scan.pdf')}: scanned PDF: no text layer (OCR is not supported)`);
    expect(code).toBe(0);
    const ranked = hasCjkFont() ? 4 : 3;
    expect(stdout.text()).toContain(`${ranked} ranked, 1 failed; report: ${outBase}.html`);
    // Progress lines on a non-terminal stderr, ending at 100 %.
    expect(stderr.text()).toMatch(/\[#{24}\] · 5|\[#{24}\] · 6/);
    const json = JSON.parse(await readFile(`${outBase}.json`, 'utf8')) as { ranked: Array<{ file: string }> };
    // The job description and the reports in the same folder are not screened as resumes.
    expect(json.ranked.map((entry) => path.basename(entry.file)).sort()).toEqual(
      ['alice.pdf', 'bruno.docx', 'chen.txt', ...(hasCjkFont() ? ['zhang.pdf'] : [])].sort(),
    );
    const csv = await readFile(`${outBase}.csv`, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(await readFile(`${outBase}.html`, 'utf8')).toContain('<title>Resume screening — Platform Engineer</title>');
    expect((await readdir(folder)).filter((file) => file.startsWith('.viva-screen-'))).toHaveLength(1);
  });

  it('writes a partial report and exits 130 when interrupted', async () => {
    const folder = path.join(root, 'cli-interrupted');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'jd.txt'), JD);
    await writeFile(path.join(folder, 'a.txt'), resumeText(1));
    const controller = new AbortController();
    controller.abort();
    const stderr = output();
    const code = await runScreen(['--jd', path.join(folder, 'jd.txt'), path.join(folder, 'a.txt'), '--out', path.join(folder, 'r.json')], {
      stdout: output(),
      stderr,
      env: env(),
      signal: controller.signal,
    });
    expect(code).toBe(130);
    expect(stderr.text()).toContain('run the same command again');
    const report = JSON.parse(await readFile(path.join(folder, 'r.json'), 'utf8')) as { status: string; pending: string[] };
    expect(report).toMatchObject({ status: 'aborted', pending: [path.join(folder, 'a.txt')] });
  });

  it('explains usage mistakes and an unreachable LLM', async () => {
    const stderr = output();
    expect(await runScreen(['resumes/'], { stdout: output(), stderr })).toBe(2);
    expect(stderr.text()).toContain('--jd FILE is required');
    const badOut = output();
    expect(await runScreen(['--jd', 'x', 'r', '--out', 'ranking.xlsx'], { stdout: output(), stderr: badOut })).toBe(2);
    expect(badOut.text()).toContain('must end in .html, .csv or .json');

    const folder = path.join(root, 'cli-down');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'jd.txt'), JD);
    const down = await startFakeLlmServer();
    const baseUrl = down.baseUrl;
    await down.close();
    const downErr = output();
    const code = await runScreen(['--jd', path.join(folder, 'jd.txt'), folder, '--out', path.join(folder, 'r.csv')], {
      stdout: output(),
      stderr: downErr,
      env: { VIVA_LLM_BASE_URL: baseUrl, VIVA_LLM_MODEL: FAKE_DEFAULT_MODEL },
    });
    expect(code).toBe(1);
    expect(downErr.text()).toMatch(/could not reach the LLM server .*VIVA_LLM_BASE_URL/);
  });
});
