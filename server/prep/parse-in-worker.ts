import { Worker } from 'node:worker_threads';
import type { DocumentJob, DocumentReply } from './document-worker.ts';
import { ExtractError } from './extract-error.ts';

/** Limits of one document parse. */
export interface WorkerLimits {
  /** The parse is stopped (and the worker replaced) after this long; default 20 s. */
  timeoutMs?: number;
  /** V8 heap of the worker; default 256 MiB. Read when a worker starts. */
  maxHeapMb?: number;
}

/** Defaults of WorkerLimits. */
export const WORKER_LIMIT_DEFAULTS = { timeoutMs: 20_000, maxHeapMb: 256 } as const;

/** An idle worker is stopped after this long, giving its memory back. */
const IDLE_STOP_MS = 30_000;
const WORKER_URL = new URL('./document-worker.ts', import.meta.url).href;
// The worker runs TypeScript like the rest of Viva: tsx's loader is registered in it before its entry is imported.
const BOOTSTRAP = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL)}); });`;

interface RunningWorker {
  worker: Worker;
  maxHeapMb: number;
  /** Settles the job in flight when the worker dies. */
  onDeath?: (error: ExtractError) => void;
}

// One worker for the whole process, reused across documents (starting one costs ~0.5 s), one document at a time.
let current: RunningWorker | null = null;
let queue: Promise<unknown> = Promise.resolve();
let nextId = 1;
let idleTimer: NodeJS.Timeout | undefined;

function startWorker(maxHeapMb: number): RunningWorker {
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, maxHeapMb / 8)) },
  });
  const running: RunningWorker = { worker, maxHeapMb };
  worker.unref();
  worker.on('error', (error: Error & { code?: string }) => {
    const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
    running.onDeath?.(
      outOfMemory
        ? new ExtractError('too-complex', `the document needs more than ${maxHeapMb} MiB of memory to read (a zip bomb?)`)
        : new ExtractError('corrupt', `unreadable document (${error.message})`),
    );
  });
  worker.on('exit', () => {
    running.onDeath?.(new ExtractError('corrupt', 'unreadable document (the reader stopped)'));
    if (current === running) current = null;
  });
  return running;
}

async function stopWorker(running: RunningWorker): Promise<void> {
  if (current === running) current = null;
  await running.worker.terminate();
}

async function runJob(job: DocumentJob, limits: WorkerLimits & { signal?: AbortSignal | undefined }): Promise<DocumentReply> {
  const timeoutMs = limits.timeoutMs ?? WORKER_LIMIT_DEFAULTS.timeoutMs;
  const maxHeapMb = limits.maxHeapMb ?? WORKER_LIMIT_DEFAULTS.maxHeapMb;
  if (limits.signal?.aborted) throw new ExtractError('aborted', 'text extraction was cancelled');
  clearTimeout(idleTimer);
  if (current && current.maxHeapMb !== maxHeapMb) await stopWorker(current);
  const running = current ?? startWorker(maxHeapMb);
  current = running;
  const id = nextId++;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  let onMessage: ((message: { id: number; reply: DocumentReply }) => void) | undefined;
  try {
    return await new Promise<DocumentReply>((resolve, reject) => {
      onMessage = (message) => {
        if (message.id === id) resolve(message.reply);
      };
      running.worker.on('message', onMessage);
      running.onDeath = reject;
      // A parse that runs away (or a cancelled one) takes the worker with it: the next document gets a fresh one.
      timer = setTimeout(() => {
        reject(new ExtractError('too-complex', `reading the ${job.kind} took longer than ${timeoutMs / 1000} s`));
        void stopWorker(running);
      }, timeoutMs);
      onAbort = () => {
        reject(new ExtractError('aborted', 'text extraction was cancelled'));
        void stopWorker(running);
      };
      limits.signal?.addEventListener('abort', onAbort, { once: true });
      running.worker.postMessage({ id, job });
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) limits.signal?.removeEventListener('abort', onAbort);
    if (onMessage) running.worker.off('message', onMessage);
    running.onDeath = undefined;
    if (current === running) {
      idleTimer = setTimeout(() => void stopWorker(running), IDLE_STOP_MS);
      idleTimer.unref();
    }
  }
}

/**
 * Parses a PDF or .docx in a worker thread with a heap limit and a deadline, so a hostile document (a zip bomb, a
 * pathological PDF) fails with an ExtractError ('too-complex', 'aborted', or the parser's own) while the server's event
 * loop keeps answering. Documents are parsed one at a time; a worker that ran out of memory or time is replaced.
 */
export async function parseDocumentInWorker(
  job: DocumentJob,
  limits: WorkerLimits & { signal?: AbortSignal | undefined } = {},
): Promise<DocumentReply & { ok: true }> {
  const result = queue.then(() => runJob(job, limits));
  queue = result.catch(() => undefined);
  const reply = await result;
  if (!reply.ok) throw new ExtractError(reply.code, reply.message);
  return reply;
}
