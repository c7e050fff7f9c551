import type { Problem } from '../api/replies.ts';

/** What a running job is doing, for the progress line ("Sending…", "Waiting for the language model…"). */
export type JobStep = 'reading' | 'sending' | 'extracting' | 'waiting' | 'screening';

/** A request that runs for a while (an upload, an LLM call, a screening): when it started, what it does now, how it ended. */
export type Job<T> =
  | { state: 'idle' }
  | { state: 'running'; startedAtMs: number; step: JobStep; sentBytes: number | null; totalBytes: number | null }
  | { state: 'done'; value: T; startedAtMs: number; endedAtMs: number }
  | { state: 'error'; problem: Problem; startedAtMs: number; endedAtMs: number };

/** What happens to a job; every screen's reducer feeds these to `jobReducer`. */
export type JobEvent<T> =
  | { type: 'started'; atMs: number; step: JobStep }
  | { type: 'step'; step: JobStep; sentBytes?: number; totalBytes?: number }
  | { type: 'done'; atMs: number; value: T }
  | { type: 'failed'; atMs: number; problem: Problem };

/** A job that has not run. */
export const IDLE_JOB: Job<never> = { state: 'idle' };

/** The job after an event; a step, result or failure for a job that is not running is ignored (it was replaced). */
export function jobReducer<T>(job: Job<T>, event: JobEvent<T>): Job<T> {
  if (event.type === 'started') return { state: 'running', startedAtMs: event.atMs, step: event.step, sentBytes: null, totalBytes: null };
  if (job.state !== 'running') return job;
  switch (event.type) {
    case 'step':
      return { ...job, step: event.step, sentBytes: event.sentBytes ?? null, totalBytes: event.totalBytes ?? null };
    case 'done':
      return { state: 'done', value: event.value, startedAtMs: job.startedAtMs, endedAtMs: event.atMs };
    case 'failed':
      return { state: 'error', problem: event.problem, startedAtMs: job.startedAtMs, endedAtMs: event.atMs };
  }
}

/** True while the job runs. */
export const isRunning = (job: Job<unknown>): job is Extract<Job<unknown>, { state: 'running' }> => job.state === 'running';
