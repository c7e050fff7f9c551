import type { InterviewRepository, RetentionResult } from './repository.ts';

/** Minimal logger the retention timer reports to. */
export interface RetentionLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** How often retention runs after the start-up run: daily. */
export const RETENTION_INTERVAL_MS = 86_400_000;

/**
 * Runs `applyRetention` now and then every `intervalMs` until `signal` aborts. A failed run is logged and retried at the
 * next tick (it must never take the server down). The timer is unref'd so it never keeps the process alive.
 * Resolves with the first run's result.
 */
export async function startRetentionTimer(
  repository: Pick<InterviewRepository, 'applyRetention'>,
  options: { signal: AbortSignal; intervalMs?: number; logger?: RetentionLogger; isActive?: (interviewId: string) => boolean },
): Promise<RetentionResult | null> {
  const { signal, logger } = options;
  let running = false;
  const run = async (): Promise<RetentionResult | null> => {
    if (running || signal.aborted) return null;
    running = true;
    try {
      const result = await repository.applyRetention(undefined, options.isActive ? { isActive: options.isActive } : {});
      const deleted =
        result.audioPurged.length + result.transcriptsPurged.length + result.orphanFoldersRemoved + result.tempFilesRemoved + result.staleLiveStopped.length;
      if (deleted > 0) logger?.info('retention: deleted expired data', { ...result });
      return result;
    } catch (error) {
      logger?.error('retention run failed', { error: (error as Error).message });
      return null;
    } finally {
      running = false;
    }
  };
  const first = await run();
  if (!signal.aborted) {
    const timer = setInterval(() => void run(), options.intervalMs ?? RETENTION_INTERVAL_MS);
    timer.unref();
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  }
  return first;
}
