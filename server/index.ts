/**
 * Boots Viva: reads the environment, builds the client if it is missing, fetches missing models (first start), checks
 * and loads them, checks the LLM endpoint, opens the database, and serves the app. Every failure here is a message a
 * person can act on, never a stack trace.
 */
import path from 'node:path';
import { ensureClientBuilt } from './client-build.ts';
import { loadConfig, type Config } from './env.ts';
import { createLogger, type Logger } from './logger.ts';
import { buildServer } from './core.ts';
import { ensureModelFiles, startupModelNames } from './models/ensure-models.ts';

const REPO_DIR = path.resolve(import.meta.dirname, '..');
const CLIENT_DIR = path.join(REPO_DIR, 'client/dist');

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`viva: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const logger: Logger = createLogger(config.logLevel);
  // Ctrl-C during a first-start download stops it cleanly (the .part file is kept for the next start to resume).
  const booting = new AbortController();
  const abortBoot = () => booting.abort();
  process.once('SIGINT', abortBoot);
  let server: Awaited<ReturnType<typeof buildServer>>;
  try {
    await ensureClientBuilt({ repoDir: REPO_DIR, clientDir: CLIENT_DIR, log: (line) => logger.info(line) });
    const fetchOptions = { modelsDir: config.modelsDir, fetchMissing: config.modelsFetch, baseUrl: config.modelBaseUrl, stderr: process.stderr, signal: booting.signal };
    // Speech models and the embedded LLM's GGUF in one go: offline, one message names every missing file. With
    // VIVA_LLM_OPTIONAL a GGUF that cannot be fetched is a warning and transcription starts without it.
    await ensureModelFiles({
      ...fetchOptions,
      ...startupModelNames(config),
      onOptionalMissing: (error) => logger.warn(`${error.message}\nStarting without it (VIVA_LLM_OPTIONAL).`),
    });
    server = await buildServer(config, logger, { clientDir: CLIENT_DIR });
  } catch (error) {
    logger.error(booting.signal.aborted ? 'interrupted while starting' : error instanceof Error ? error.message : String(error));
    process.exit(1);
  } finally {
    process.off('SIGINT', abortBoot);
  }
  const port = await server.listen();
  logger.info(`Viva is listening on http://${config.host}:${port}`);
  if (!server.app.auth.store.hasUsers()) {
    logger.info('no account yet: open the page to create the admin account, or run `npx viva users add NAME --role admin`');
  }
  if ((config.host === '0.0.0.0' || config.host === '::') && !config.publicUrl && config.allowedHosts.length === 0) {
    logger.warn('HOST listens on every interface but only loopback names are answered: set VIVA_PUBLIC_URL (the address candidates open) or VIVA_ALLOWED_HOSTS');
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal}: finishing open turns and shutting down`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

await main();
