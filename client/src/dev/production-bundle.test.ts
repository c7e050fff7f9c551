import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMatch, demoResume } from './prep-fixtures.ts';

const repoDir = fileURLToPath(new URL('../../..', import.meta.url));
let outDir = '';
let files: Array<{ name: string; text: string }> = [];

// The production build exactly as `npm run build:client` makes it, read back file by file (source maps included: they
// carry every bundled source). A child process, because vitest's NODE_ENV=test would make `import.meta.env.DEV` true.
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'viva-client-build-'));
  const env = { ...process.env };
  delete env.NODE_ENV;
  await promisify(execFile)(join(repoDir, 'node_modules/.bin/vite'), ['build', 'client', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: repoDir, env });
  const names = (await readdir(outDir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  files = await Promise.all(names.map(async (name) => ({ name, text: await readFile(name, 'utf8') })));
}, 120_000);
afterAll(() => rm(outDir, { recursive: true, force: true }));

const holding = (needle: string) => files.filter((file) => file.text.includes(needle)).map((file) => file.name);

describe('production client bundle', () => {
  it('holds the app but none of the demo screens or their fixtures', () => {
    // The check can fail: the app's own text is there.
    expect(holding('Start interview').length).toBeGreaterThan(0);
    expect(holding(demoResume.slice(0, 40))).toEqual([]);
    expect(holding(demoMatch.summary.slice(0, 40))).toEqual([]);
    // A sentence only the canned live state in dev/demo-session.tsx contains.
    expect(holding('Concrete numbers and a clear account of backpressure')).toEqual([]);
    // No demo chunk, and no code that reads `?demo=` (source maps aside: they quote main.tsx as written).
    expect(files.map((file) => file.name).filter((name) => /demo|fixture/.test(name))).toEqual([]);
    expect(files.filter((file) => file.name.endsWith('.js') && /get\(["']demo["']\)/.test(file.text)).map((file) => file.name)).toEqual([]);
  });
});
