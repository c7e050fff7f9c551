import type { Language } from '../../protocol/schemas.ts';
import type { Logger } from '../logger.ts';
import { abortReason, type TranscribeResult, type Transcriber } from './transcriber.ts';

/** Finals are kept transcripts and always run; partials are previews that may be skipped. */
export type DecodePriority = 'final' | 'partial';

/**
 * Why a partial was not decoded: `replaced` by a newer partial of the same turn, `superseded` by the turn's final,
 * `behind` because finals were waiting (or the partial queue was full), `stale` after waiting longer than
 * `maxPartialWaitMs`.
 */
export type SkipReason = 'replaced' | 'superseded' | 'behind' | 'stale';

/** One decode asked of the scheduler. */
export interface DecodeJob {
  /** The turn: a newer partial replaces a queued partial with the same key; a final supersedes them. */
  key: string;
  priority: DecodePriority;
  /** 16 kHz mono samples; not copied, do not modify until the promise settles. */
  pcm: Float32Array;
  language: Language;
  initialPrompt?: string;
  /** Removes the job if still queued; if running, rejects its promise at once (the native decode still finishes). */
  signal?: AbortSignal;
}

/** A decode result, or a skipped partial (finals are never skipped). */
export type DecodeOutcome =
  | { skipped: true; reason: SkipReason }
  | (TranscribeResult & { skipped: false; queueWaitMs: number });

/** Options of the scheduler. */
export interface DecodeSchedulerOptions {
  /** Decodes run at the same time; default 1 (two decodes on two cores only fight over them). */
  maxConcurrent?: number;
  /** A partial that waited longer than this is skipped as stale; default 1500 ms. */
  maxPartialWaitMs?: number;
  /** Finals waiting at most; beyond, `decode` rejects with code 'overloaded'. Default 256. */
  maxQueuedFinals?: number;
  /** Partials waiting at most (one per turn); beyond, the oldest is skipped as 'behind'. Default 64. */
  maxQueuedPartials?: number;
  /** Clock in ms (tests inject one). */
  now?: () => number;
  logger?: Logger;
}

/** Why the scheduler refused a job. */
export class SchedulerError extends Error {
  override name = 'SchedulerError';
  constructor(
    readonly code: 'overloaded' | 'closed',
    message: string,
    readonly retryable = code === 'overloaded',
  ) {
    super(message);
  }
}

/** Count, mean, 95th percentile and maximum of a duration, over the last 512 samples (count is all-time). */
export interface DurationFigures {
  count: number;
  meanMs: number;
  p95Ms: number;
  maxMs: number;
}

/** Counters and timing figures of the scheduler since it was created. */
export interface DecodeSchedulerStats {
  running: number;
  queuedFinals: number;
  queuedPartials: number;
  finals: { completed: number; failed: number; aborted: number; refused: number };
  partials: { completed: number; failed: number; aborted: number; skipped: Record<SkipReason, number> };
  queueWaitMs: { final: DurationFigures; partial: DurationFigures };
  decodeMs: { final: DurationFigures; partial: DurationFigures };
}

interface QueuedJob {
  job: DecodeJob;
  enqueuedAt: number;
  resolve(outcome: DecodeOutcome): void;
  reject(error: unknown): void;
  settled: boolean;
  /** A running partial whose turn got its final: its result is dropped as superseded. */
  superseded: boolean;
  detachAbort(): void;
}

const SAMPLE_WINDOW = 512;

class DurationSamples {
  private samples: number[] = [];
  private count = 0;
  private sum = 0;
  private max = 0;

  add(ms: number): void {
    this.count++;
    this.sum += ms;
    this.max = Math.max(this.max, ms);
    this.samples.push(ms);
    if (this.samples.length > SAMPLE_WINDOW) this.samples.shift();
  }

  figures(): DurationFigures {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const p95 = sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
    return { count: this.count, meanMs: this.count === 0 ? 0 : this.sum / this.count, p95Ms: p95, maxMs: this.max };
  }
}

/**
 * Shares one Transcriber (and the CPU) between all live sessions. Finals run first, in arrival order; a partial runs
 * only when no final waits, and only the newest partial of a turn is kept. A job whose caller aborts while it runs
 * keeps its slot until the native decode really ends, so an abort never lets two decodes fight for the cores.
 */
export class DecodeScheduler {
  private readonly finals: QueuedJob[] = [];
  // Insertion order is arrival order; replacing a turn's partial keeps the turn's place in line.
  private readonly partials = new Map<string, QueuedJob>();
  private readonly running = new Set<QueuedJob>();
  private readonly maxConcurrent: number;
  private readonly maxPartialWaitMs: number;
  private readonly maxQueuedFinals: number;
  private readonly maxQueuedPartials: number;
  private readonly now: () => number;
  private readonly logger: Logger | undefined;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly counters = {
    finals: { completed: 0, failed: 0, aborted: 0, refused: 0 },
    partials: { completed: 0, failed: 0, aborted: 0, skipped: { replaced: 0, superseded: 0, behind: 0, stale: 0 } },
  };
  private readonly waits = { final: new DurationSamples(), partial: new DurationSamples() };
  private finalsIdleWaiters: Array<() => void> = [];
  private readonly decodes = { final: new DurationSamples(), partial: new DurationSamples() };

  constructor(
    private readonly transcriber: Transcriber,
    options: DecodeSchedulerOptions = {},
  ) {
    this.maxConcurrent = positive(options.maxConcurrent ?? 1, 'maxConcurrent');
    this.maxPartialWaitMs = nonNegative(options.maxPartialWaitMs ?? 1500, 'maxPartialWaitMs');
    this.maxQueuedFinals = positive(options.maxQueuedFinals ?? 256, 'maxQueuedFinals');
    this.maxQueuedPartials = positive(options.maxQueuedPartials ?? 64, 'maxQueuedPartials');
    this.now = options.now ?? (() => performance.now());
    this.logger = options.logger;
  }

  /**
   * Queues a decode. Resolves with the result, or `{ skipped: true, reason }` for a partial that was not worth
   * decoding; rejects with the abort reason, the transcriber's error (that job only) or a `SchedulerError`.
   */
  decode(job: DecodeJob): Promise<DecodeOutcome> {
    if (this.closed) return Promise.reject(new SchedulerError('closed', 'the decode scheduler is closed'));
    if (job.signal?.aborted) {
      this.group(job.priority).aborted++;
      return Promise.reject(abortReason(job.signal));
    }
    if (job.priority === 'final' && this.finals.length >= this.maxQueuedFinals) {
      this.counters.finals.refused++;
      return Promise.reject(new SchedulerError('overloaded', `${this.finals.length} final decodes are already waiting`));
    }
    if (job.priority === 'partial') {
      if (this.finals.length > 0) return Promise.resolve(this.skip('behind'));
      // Its final is already decoding: a preview now would only arrive after the final.
      if ([...this.running].some((running) => running.job.key === job.key && running.job.priority === 'final')) {
        return Promise.resolve(this.skip('superseded'));
      }
    }

    return new Promise<DecodeOutcome>((resolve, reject) => {
      const entry: QueuedJob = {
        job,
        enqueuedAt: this.now(),
        resolve,
        reject,
        settled: false,
        superseded: false,
        detachAbort: () => undefined,
      };
      if (job.signal) {
        const signal = job.signal;
        const onAbort = () => this.abort(entry, abortReason(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        entry.detachAbort = () => signal.removeEventListener('abort', onAbort);
      }

      if (job.priority === 'final') {
        this.finals.push(entry);
        // The turn is over: its queued preview is pointless, and a running one must not land after the final.
        const queuedPartial = this.partials.get(job.key);
        if (queuedPartial) {
          this.partials.delete(job.key);
          this.settle(queuedPartial, this.skip('superseded'));
        }
        for (const running of this.running) if (running.job.key === job.key && running.job.priority === 'partial') running.superseded = true;
      } else {
        const previous = this.partials.get(job.key);
        if (previous) this.settle(previous, this.skip('replaced'));
        else if (this.partials.size >= this.maxQueuedPartials) {
          const [oldestKey, oldest] = this.partials.entries().next().value as [string, QueuedJob];
          this.partials.delete(oldestKey);
          this.settle(oldest, this.skip('behind'));
        }
        this.partials.set(job.key, entry);
      }
      this.dispatch();
    });
  }

  /**
   * Resolves once no final decode runs or waits; undefined when none does now. Other CPU-heavy work (the embedded LLM)
   * waits on it between evaluation batches, so a final never shares the cores with it.
   */
  finalsIdle(): Promise<void> | undefined {
    if (!this.finalsBusy()) return undefined;
    return new Promise((resolve) => this.finalsIdleWaiters.push(resolve));
  }

  private finalsBusy(): boolean {
    if (this.finals.length > 0) return true;
    for (const entry of this.running) if (entry.job.priority === 'final') return true;
    return false;
  }

  private notifyFinalsIdle(): void {
    if (this.finalsIdleWaiters.length === 0 || this.finalsBusy()) return;
    const waiters = this.finalsIdleWaiters;
    this.finalsIdleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Counters and queue-wait / decode-time figures. */
  stats(): DecodeSchedulerStats {
    return {
      running: this.running.size,
      queuedFinals: this.finals.length,
      queuedPartials: this.partials.size,
      finals: { ...this.counters.finals },
      partials: { ...this.counters.partials, skipped: { ...this.counters.partials.skipped } },
      queueWaitMs: { final: this.waits.final.figures(), partial: this.waits.partial.figures() },
      decodeMs: { final: this.decodes.final.figures(), partial: this.decodes.partial.figures() },
    };
  }

  /** Rejects queued jobs with code 'closed' and waits for running decodes; does not close the transcriber. */
  async close(): Promise<void> {
    this.closed = true;
    const error = new SchedulerError('closed', 'the decode scheduler was closed');
    for (const entry of this.finals.splice(0)) this.settle(entry, undefined, error);
    for (const entry of this.partials.values()) this.settle(entry, undefined, error);
    this.partials.clear();
    await Promise.allSettled([...this.inFlight]);
    this.notifyFinalsIdle();
  }

  private dispatch(): void {
    while (this.running.size < this.maxConcurrent) {
      const entry = this.finals.shift() ?? this.nextPartial();
      if (!entry) return;
      this.start(entry);
    }
  }

  private nextPartial(): QueuedJob | undefined {
    for (const [key, entry] of this.partials) {
      this.partials.delete(key);
      if (this.now() - entry.enqueuedAt > this.maxPartialWaitMs) {
        this.settle(entry, this.skip('stale'));
        continue;
      }
      return entry;
    }
    return undefined;
  }

  private start(entry: QueuedJob): void {
    const { job } = entry;
    const priority = job.priority;
    const queueWaitMs = this.now() - entry.enqueuedAt;
    this.waits[priority].add(queueWaitMs);
    this.running.add(entry);
    const startedAt = this.now();
    // No signal goes to the transcriber: the slot must stay taken until the native decode has really ended.
    const work = Promise.resolve().then(() =>
      this.transcriber.transcribe(job.pcm, {
        language: job.language,
        purpose: priority,
        ...(job.initialPrompt === undefined ? {} : { initialPrompt: job.initialPrompt }),
      }),
    );
    const tracked = work.then(
      (result) => {
        this.decodes[priority].add(this.now() - startedAt);
        if (entry.superseded) {
          if (!entry.settled) this.settle(entry, this.skip('superseded'));
          return;
        }
        if (!entry.settled) this.group(priority).completed++;
        this.settle(entry, { ...result, skipped: false, queueWaitMs });
      },
      (error: unknown) => {
        if (!entry.settled) {
          this.group(priority).failed++;
          this.logger?.warn(`asr: ${priority} decode of ${job.key} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        this.settle(entry, undefined, error);
      },
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => {
      this.inFlight.delete(tracked);
      this.running.delete(entry);
      this.dispatch();
      this.notifyFinalsIdle();
    });
  }

  private abort(entry: QueuedJob, reason: unknown): void {
    if (entry.settled) return;
    this.group(entry.job.priority).aborted++;
    const queue = entry.job.priority === 'final' ? this.finals : null;
    if (queue) {
      const index = queue.indexOf(entry);
      if (index >= 0) queue.splice(index, 1);
    } else if (this.partials.get(entry.job.key) === entry) {
      this.partials.delete(entry.job.key);
    }
    // A running entry stays in `running` until its decode ends.
    this.settle(entry, undefined, reason);
    this.notifyFinalsIdle();
  }

  private skip(reason: SkipReason): DecodeOutcome {
    this.counters.partials.skipped[reason]++;
    return { skipped: true, reason };
  }

  private settle(entry: QueuedJob, outcome: DecodeOutcome | undefined, error?: unknown): void {
    if (entry.settled) return;
    entry.settled = true;
    entry.detachAbort();
    if (outcome) entry.resolve(outcome);
    else entry.reject(error);
  }

  private group(priority: DecodePriority) {
    return priority === 'final' ? this.counters.finals : this.counters.partials;
  }
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be >= 0, got ${value}`);
  return value;
}
