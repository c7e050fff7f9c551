/**
 * Boots Viva: reads the environment, checks and loads the models, checks the LLM endpoint, opens the database, and serves
 * the app. Every failure here is a message a person can act on, never a stack trace.
 */
import path from 'node:path';
import { loadConfig, type Config } from './env.ts';
import { createLogger, type Logger } from './logger.ts';
import { buildServer } from './core.ts';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`viva: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const logger: Logger = createLogger(config.logLevel);
  let server: Awaited<ReturnType<typeof buildServer>>;
  try {
    server = await buildServer(config, logger, { clientDir: path.resolve(import.meta.dirname, '../client/dist') });
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  const port = await server.listen();
  logger.info(`Viva is listening on http://${config.host}:${port}`);

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
