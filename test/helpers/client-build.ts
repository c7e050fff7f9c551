import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** The repository root. */
export const REPO_DIR = path.resolve(import.meta.dirname, '../..');
/** Where `vite build client` writes the app the server serves. */
export const CLIENT_DIR = path.join(REPO_DIR, 'client/dist');

/** Newest modification time of the client's sources (client/src, protocol, index.html, vite config), tests excluded. */
function newestSourceMtimeMs(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!entry.name.includes('.test.')) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  walk(path.join(REPO_DIR, 'client/src'));
  walk(path.join(REPO_DIR, 'protocol'));
  for (const file of ['client/index.html', 'client/vite.config.ts']) newest = Math.max(newest, statSync(path.join(REPO_DIR, file)).mtimeMs);
  return newest;
}

/** Builds client/dist when it is missing or older than its sources (~1-2 s), so browser tests run the code under test. */
export async function ensureClientBuilt(): Promise<void> {
  const index = path.join(CLIENT_DIR, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestSourceMtimeMs()) return;
  await run(path.join(REPO_DIR, 'node_modules/.bin/vite'), ['build', 'client', '--logLevel', 'warn'], { cwd: REPO_DIR });
}
