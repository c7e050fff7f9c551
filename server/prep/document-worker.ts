import { parentPort } from 'node:worker_threads';
import { extractDocx, extractPdf } from './document-parsers.ts';
import { ExtractError } from './extract-error.ts';

// Entry of the document worker (see parse-in-worker.ts): parses PDFs and .docx files one at a time, answering each
// `{ id, job }` with `{ id, reply }`.

/** What the worker is given. */
export interface DocumentJob {
  kind: 'pdf' | 'docx';
  bytes: Uint8Array;
  maxPages: number;
}

/** What the worker answers. */
export type DocumentReply =
  | { ok: true; pages: string[] }
  | { ok: true; text: string }
  | { ok: false; code: ExtractError['code']; message: string };

async function run(job: DocumentJob): Promise<DocumentReply> {
  try {
    if (job.kind === 'pdf') return { ok: true, pages: (await extractPdf(job.bytes, job.maxPages)).pages };
    return { ok: true, text: await extractDocx(job.bytes) };
  } catch (error) {
    if (error instanceof ExtractError) return { ok: false, code: error.code, message: error.message };
    return { ok: false, code: 'corrupt', message: `unreadable ${job.kind} (${error instanceof Error ? error.message : String(error)})` };
  }
}

parentPort?.on('message', (message: { id: number; job: DocumentJob }) => {
  void run(message.job).then((reply) => parentPort?.postMessage({ id: message.id, reply }));
});
