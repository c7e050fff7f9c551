import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Language } from '../../protocol/schemas.ts';
import type { RecordingStatus } from '../../protocol/interviews.ts';
import { DecodeError, type AudioProbe } from '../media/decode.ts';
import type { InterviewRepository } from '../store/repository.ts';
import type { ApiLogger } from './errors.ts';

/** What `processRecording` receives: one uploaded file to turn into stored turns of `interviewId`. */
export interface ProcessRecordingInput {
  interviewId: string;
  /** The upload on disk (under `<dataDir>/uploads`); removed by the job runner once the call settles. */
  filePath: string;
  language: Language;
  /** In a stereo recording with a speaker per channel, which channel is the interviewer's (default 'first'). */
  interviewerChannel?: 'first' | 'second';
  /** What ffprobe found in the upload (format, declared duration). */
  probe: AudioProbe;
  /** Aborted when the interview is deleted or the server stops: stop promptly and reject. */
  signal: AbortSignal;
  /** Reports progress 0..1 and, optionally, what is happening ('decoding', 'transcribing', 'analysing'...). */
  onProgress(update: { fraction: number; stage?: string }): void;
}

/**
 * Turns an uploaded recording into stored turns, suggestions and scores (implemented on the live pipeline). Resolve when
 * everything is stored; reject to fail the job: the runner then deletes the interview's turns so nothing half-written stays.
 */
export type ProcessRecording = (input: ProcessRecordingInput) => Promise<void | RecordingOutcome>;

/** What a finished recording job tells the user beyond its turns (e.g. that the file was cut short). */
export interface RecordingOutcome {
  warnings: string[];
}

/** A job waiting or running. */
interface Job {
  id: string;
  interviewId: string;
  filePath: string;
  language: Language;
  interviewerChannel: 'first' | 'second';
  probe: AudioProbe;
  uploadBytes: number;
  controller: AbortController;
  status: RecordingStatus;
  settled: Promise<void>;
  resolveSettled: () => void;
}

/** Counters of the job queue. */
export interface RecordingJobStats {
  accepted: number;
  /** Uploads refused because the queue was full. */
  refusedQueueFull: number;
  done: number;
  failed: number;
  cancelled: number;
}

/** Thrown by `enqueue` when `maxQueued` jobs already wait. */
export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

const FINISHED_KEPT = 200;

/**
 * Runs uploaded recordings through `processRecording` one at a time (transcription already uses every core), from a
 * bounded queue that counts what it refuses. Keeps each interview's latest status in memory; after a restart the status
 * comes from the interview row.
 */
export class RecordingJobs {
  private readonly queue: Job[] = [];
  private running: Job | undefined;
  private readonly byInterview = new Map<string, Job>();
  private readonly finished = new Map<string, RecordingStatus>();
  private closed = false;
  readonly stats: RecordingJobStats = { accepted: 0, refusedQueueFull: 0, done: 0, failed: 0, cancelled: 0 };

  constructor(
    private readonly deps: {
      repository: InterviewRepository;
      processRecording: ProcessRecording;
      logger: ApiLogger;
      /** Jobs allowed to wait behind the running one. */
      maxQueued: number;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** True while a job of this interview waits or runs. */
  isActive(interviewId: string): boolean {
    return this.byInterview.has(interviewId);
  }

  /** Queues a job; the interview becomes 'processing' at once so a restart knows it was interrupted. */
  enqueue(input: {
    interviewId: string;
    filePath: string;
    language: Language;
    interviewerChannel?: 'first' | 'second';
    probe: AudioProbe;
    uploadBytes: number;
  }): RecordingStatus {
    if (this.closed) throw new QueueFullError('the server is shutting down');
    if (this.queue.length >= this.deps.maxQueued) {
      this.stats.refusedQueueFull++;
      throw new QueueFullError(`${this.queue.length} recordings are already waiting; try again later`);
    }
    let resolveSettled = (): void => undefined;
    const settled = new Promise<void>((resolve) => {
      resolveSettled = resolve;
    });
    const job: Job = {
      ...input,
      interviewerChannel: input.interviewerChannel ?? 'first',
      id: randomUUID(),
      controller: new AbortController(),
      settled,
      resolveSettled,
      status: {
        interviewId: input.interviewId,
        jobId: null,
        state: 'queued',
        progress: 0,
        stage: null,
        error: null,
        uploadBytes: input.uploadBytes,
        startedAtMs: null,
        finishedAtMs: null,
      },
    };
    job.status.jobId = job.id;
    this.deps.repository.updateInterviewStatus(input.interviewId, 'processing', { message: null, recordingJobId: job.id });
    this.byInterview.set(input.interviewId, job);
    this.finished.delete(input.interviewId);
    this.queue.push(job);
    this.stats.accepted++;
    this.pump();
    return { ...job.status };
  }

  /** The latest job status of an interview, or null when this process has none. */
  status(interviewId: string): RecordingStatus | null {
    const job = this.byInterview.get(interviewId);
    if (job) return { ...job.status };
    const finished = this.finished.get(interviewId);
    return finished ? { ...finished } : null;
  }

  /** Aborts the interview's job (if any) and waits until it has cleaned up. */
  async cancel(interviewId: string, reason: string): Promise<void> {
    const job = this.byInterview.get(interviewId);
    if (!job) return;
    job.controller.abort(new Error(reason));
    const index = this.queue.indexOf(job);
    if (index >= 0) {
      this.queue.splice(index, 1);
      await this.finish(job, { cancelled: true, error: new Error(reason) });
    }
    await job.settled;
  }

  /** Cancels everything (server shutdown); waits for running work to clean up, at most `timeoutMs`. */
  async close(reason = 'the server stopped while processing the recording; upload it again', timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    const all = [...this.byInterview.keys()].map((id) => this.cancel(id, reason));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.all(all), timeout]);
    clearTimeout(timer);
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    void this.run(job).finally(() => {
      this.running = undefined;
      this.pump();
    });
  }

  private async run(job: Job): Promise<void> {
    job.status.state = 'processing';
    job.status.startedAtMs = this.now();
    const { signal } = job.controller;
    try {
      signal.throwIfAborted();
      const outcome = await this.deps.processRecording({
        interviewId: job.interviewId,
        filePath: job.filePath,
        language: job.language,
        interviewerChannel: job.interviewerChannel,
        probe: job.probe,
        signal,
        onProgress: ({ fraction, stage }) => {
          if (job.status.state !== 'processing') return;
          // Progress never goes backwards and stays below 1 until the job has really finished.
          if (Number.isFinite(fraction)) job.status.progress = Math.max(job.status.progress, Math.min(0.99, Math.max(0, fraction)));
          if (stage !== undefined) job.status.stage = stage;
        },
      });
      signal.throwIfAborted();
      await this.finish(job, { cancelled: false, error: null, warnings: outcome?.warnings ?? [] });
    } catch (error) {
      await this.finish(job, { cancelled: signal.aborted, error });
    }
  }

  private async finish(job: Job, outcome: { cancelled: boolean; error: unknown; warnings?: string[] }): Promise<void> {
    const { repository, logger } = this.deps;
    // The upload goes first, so no one sees a finished job whose file is still on disk.
    await rm(job.filePath, { force: true }).catch(() => undefined);
    try {
      const exists = repository.getInterview(job.interviewId) !== null;
      if (outcome.error === null) {
        const warnings = outcome.warnings ?? [];
        if (exists) repository.updateInterviewStatus(job.interviewId, 'done', { message: warnings.length > 0 ? warnings.join('; ') : null });
        job.status.state = 'done';
        job.status.progress = 1;
        this.stats.done++;
      } else {
        const { code, message } = describeFailure(outcome);
        // Nothing half-written stays: turns stored before the failure go, with their audio.
        if (exists) {
          await repository.deleteTranscript(job.interviewId);
          repository.updateInterviewStatus(job.interviewId, 'failed', { message });
        }
        job.status.state = outcome.cancelled ? 'cancelled' : 'failed';
        job.status.error = { code, message };
        if (outcome.cancelled) this.stats.cancelled++;
        else this.stats.failed++;
        logger.warn('recording processing failed', { interviewId: job.interviewId, jobId: job.id, code, message });
      }
    } catch (error) {
      logger.error('recording job clean-up failed', { interviewId: job.interviewId, error: (error as Error).message });
      job.status.state = 'failed';
      job.status.error ??= { code: 'internal', message: 'clean-up after processing failed (see the server log)' };
    } finally {
      job.status.finishedAtMs = this.now();
      job.status.stage = null;
      this.byInterview.delete(job.interviewId);
      this.finished.set(job.interviewId, { ...job.status });
      if (this.finished.size > FINISHED_KEPT) {
        const oldest = this.finished.keys().next().value;
        if (oldest !== undefined) this.finished.delete(oldest);
      }
      job.resolveSettled();
    }
  }
}

function describeFailure(outcome: { cancelled: boolean; error: unknown }): { code: string; message: string } {
  const { error } = outcome;
  if (outcome.cancelled) return { code: 'cancelled', message: `processing was cancelled: ${(error as Error)?.message ?? 'aborted'}` };
  if (error instanceof DecodeError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'processing-failed';
  return { code, message: `processing the recording failed: ${message}` };
}
