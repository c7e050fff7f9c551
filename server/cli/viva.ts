/**
 * The `viva` command (bin/viva.js runs this through tsx): `review` a recorded interview, `screen` resumes, `serve` the app,
 * `users` and `token` (accounts).
 * Each subcommand imports its code only when chosen, so `viva help` or a usage error never loads a model.
 */
import type { BuildOptions } from '../core.ts';
import type { Config } from '../env.ts';
import type { Logger } from '../logger.ts';
import type { ReviewOutput, ReviewParts } from './review.ts';

/** Exit codes shared by the subcommands: 0 done, 1 failed, 2 bad usage, 130 interrupted. */
export const VIVA_EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

const USAGE = `Usage: viva COMMAND [options]

Commands:
  review RECORDING --out REPORT   transcribe and analyse a recorded interview; write an HTML, Markdown or JSON report
  screen --jd FILE RESUMES... --out FILE   rank resumes against a job description
  serve                           start the Viva server (the same as \`npm start\`)
  users add NAME --role ROLE      create a user (admin, recruiter, interviewer); \`users list\` shows them
  token create --name NAME        print a new API token on the last line (--user USER; \`token list\`, \`token revoke ID\`)
  help [COMMAND]                  show this help, or a command's

Settings come from the environment (VIVA_MODELS_DIR, VIVA_DATA_DIR, VIVA_LLM_BASE_URL, ...; see the README).
`;

/** Where `runViva` writes, and what it builds `review` from (tests inject; the defaults are the real ones). */
export interface VivaCliDeps {
  stdout?: ReviewOutput;
  stderr?: ReviewOutput;
  /** Stops a review; default SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Configuration of `review`; default `loadConfig()` of the process environment. */
  config?: Config;
  /** Substitutes parts of what `review` builds (tests: a speech runtime with a scripted decoder). */
  coreOptions?: Pick<BuildOptions, 'speechRuntime'>;
}

/**
 * Runs one `viva` command line (without `node` and the script). Resolves with the exit code, or null for `serve`, whose
 * server keeps the process alive and exits on its own.
 */
export async function runViva(argv: string[], deps: VivaCliDeps = {}): Promise<number | null> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const [command, ...rest] = argv;
  switch (command) {
    case 'review':
      return review(rest, deps);
    case 'screen': {
      const { runScreen } = await import('./screen.ts');
      return runScreen(rest, { stdout, stderr, ...(deps.signal ? { signal: deps.signal } : {}) });
    }
    case 'users':
    case 'token': {
      const { runUsers, runToken } = await import('./accounts.ts');
      const dataDir = deps.config?.dataDir ?? (await import('../env.ts')).loadConfig().dataDir;
      return (command === 'users' ? runUsers : runToken)(rest, { stdout, stderr, dataDir });
    }
    case 'serve': {
      if (rest.includes('-h') || rest.includes('--help')) {
        stdout.write('Usage: viva serve\n\nStarts the Viva server (the same as `npm start`); settings come from the environment (PORT, HOST, VIVA_*).\n');
        return VIVA_EXIT.ok;
      }
      if (rest.length > 0) {
        stderr.write(`viva serve: takes no arguments (settings come from the environment), got: ${rest.join(' ')}\n`);
        return VIVA_EXIT.usage;
      }
      // server/index.ts boots on import, logs its own failures and exits on SIGINT/SIGTERM.
      await import('../index.ts');
      return null;
    }
    case 'help':
    case '-h':
    case '--help': {
      const topic = rest[0];
      if (topic === 'review' || topic === 'screen' || topic === 'serve' || topic === 'users' || topic === 'token') return runViva([topic, '--help'], deps);
      stdout.write(USAGE);
      return VIVA_EXIT.ok;
    }
    case undefined:
      stderr.write(USAGE);
      return VIVA_EXIT.usage;
    default:
      stderr.write(`viva: unknown command "${command}"\n\n${USAGE}`);
      return VIVA_EXIT.usage;
  }
}

/** `viva review`: builds the real repository and pipeline (only once the arguments and the file are checked). */
async function review(argv: string[], deps: VivaCliDeps): Promise<number> {
  const { runReview } = await import('./review.ts');
  const stderr = deps.stderr ?? process.stderr;
  let close: (() => Promise<void>) | undefined;
  try {
    return await runReview(argv, {
      ...(deps.stdout ? { stdout: deps.stdout } : {}),
      stderr,
      ...(deps.signal ? { signal: deps.signal } : {}),
      load: async (signal): Promise<ReviewParts> => {
        // smart-whisper mutes whisper.cpp's native model-loading log only when NODE_ENV is 'production' as it loads: on a
        // terminal that log would bury the progress bar. Must happen before the binding is imported below.
        process.env.NODE_ENV ??= 'production';
        const { loadConfig } = await import('../env.ts');
        const { createLogger } = await import('../logger.ts');
        const { buildServer } = await import('../core.ts');
        const config = deps.config ?? loadConfig();
        // The progress bar is the command's output; log lines only for problems (or everything with VIVA_LOG_LEVEL=debug).
        const logger: Logger = createLogger(config.logLevel === 'debug' ? 'debug' : 'warn', (line) => stderr.write(`${line}\n`));
        // The same app as the server's (never listening): the recording runs through its session hub and subscribers.
        const built = await buildServer(config, logger, { ...deps.coreOptions, retentionTimer: false, resumeAnalysis: false });
        close = () => built.close();
        signal.throwIfAborted();
        const { processRecording } = built.app;
        if (!processRecording) throw new Error('the app was built without storage');
        return { repository: built.repository, processRecording };
      },
    });
  } finally {
    await close?.();
  }
}
