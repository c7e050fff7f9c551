import { problemOf } from '../api/replies.ts';
import type { UploadProgress } from '../api/upload-client.ts';
import type { JobEvent, JobStep } from '../state/job.ts';

/** Reports progress from inside a job: a new step, or bytes sent for an upload (then the step is `sending`, and `extracting` once all is sent). */
export interface JobProgress {
  step(step: JobStep): void;
  upload(progress: UploadProgress): void;
}

/**
 * Runs one kind of job at a time for a screen controller: a second start while one runs is refused (so a double click
 * or a second button cannot send a second LLM request), every job gets its own AbortController, and `dispose` aborts
 * them all. Events go to `emit` as `JobEvent`s for the screen's reducer.
 */
export class JobRunner<Name extends string> {
  private readonly running = new Map<Name, AbortController>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True while a job of that name runs. */
  isRunning(name: Name): boolean {
    return this.running.has(name);
  }

  /** Runs `work` unless a job of that name already runs (then resolves false at once); failures become `failed` events. */
  async run<T>(
    name: Name,
    emit: (event: JobEvent<T>) => void,
    firstStep: JobStep,
    work: (signal: AbortSignal, progress: JobProgress) => Promise<T>,
  ): Promise<boolean> {
    if (this.running.has(name)) return false;
    const abort = new AbortController();
    this.running.set(name, abort);
    emit({ type: 'started', atMs: this.now(), step: firstStep });
    const progress: JobProgress = {
      step: (step) => {
        if (!abort.signal.aborted) emit({ type: 'step', step });
      },
      upload: ({ sentBytes, totalBytes }) => {
        if (!abort.signal.aborted) emit({ type: 'step', step: sentBytes >= totalBytes && totalBytes > 0 ? 'extracting' : 'sending', sentBytes, totalBytes });
      },
    };
    try {
      const value = await work(abort.signal, progress);
      if (!abort.signal.aborted) emit({ type: 'done', atMs: this.now(), value });
    } catch (error) {
      if (!abort.signal.aborted) emit({ type: 'failed', atMs: this.now(), problem: problemOf(error) });
    } finally {
      if (this.running.get(name) === abort) this.running.delete(name);
    }
    return true;
  }

  /** Aborts every running job; their results are dropped. */
  dispose(): void {
    for (const abort of this.running.values()) abort.abort();
    this.running.clear();
  }
}
