import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Builds the browser client (`vite build client` → client/dist) when it is missing, so `npm start` on a fresh checkout
 * serves the app instead of `Cannot GET /`. `npm install` builds it too (postinstall); this covers a checkout whose
 * install ran before, or a deleted dist. Resolves to true when it built.
 */
export async function ensureClientBuilt(options: { repoDir: string; clientDir: string; log: (line: string) => void }): Promise<boolean> {
  if (await exists(path.join(options.clientDir, 'index.html'))) return false;
  const vite = path.join(options.repoDir, 'node_modules/.bin/vite');
  if (!(await exists(vite))) {
    throw new Error(
      `The browser client is not built (${options.clientDir} is missing) and vite is not installed to build it: ` +
        'run `npm install` (with dev dependencies), or build it elsewhere with `npm run build:client` and copy client/dist.',
    );
  }
  options.log(`The browser client is not built yet: building it now (vite build client, about 10 s) into ${options.clientDir}`);
  try {
    await run(vite, ['build', 'client', '--logLevel', 'warn'], { cwd: options.repoDir, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`Building the browser client failed (npm run build:client): ${stderr.trim() || (error as Error).message}`);
  }
  return true;
}

async function exists(filePath: string): Promise<boolean> {
  try {
    await access(filePath);
    return true;
  } catch {
    return false;
  }
}
