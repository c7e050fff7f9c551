#!/usr/bin/env node
// The `viva` command. The project is TypeScript only: this launcher registers tsx's loader and runs server/cli/viva.ts,
// from any working directory (paths are resolved from this file, not from the cwd).
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { runViva } = await import('../server/cli/viva.ts');
const code = await runViva(process.argv.slice(2));
// null: `viva serve` is running; the server exits on its own.
if (code !== null) process.exit(code);
