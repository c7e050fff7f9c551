import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Language } from '../../protocol/schemas.ts';
import type { ProcessRecording } from '../api/recording-jobs.ts';
import { DecodeError, probeAudioFile, type AudioProbe } from '../media/decode.ts';
import { ExtractError, extractText } from '../prep/extract.ts';
import { renderReport, type ReportFormat } from '../reports/index.ts';
import { writeFileAtomic } from '../store/atomic-file.ts';
import type { InterviewRepository } from '../store/repository.ts';

/** A stream the CLI writes to (process.stdout / process.stderr, or a test buffer). */
export interface ReviewOutput {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** The repository and pipeline a review runs on. */
export interface ReviewParts {
  repository: InterviewRepository;
  /** The same function the API uses for uploads: stores turns, suggestions and scores of the interview. */
  processRecording: ProcessRecording;
}

/** Builds the parts once the arguments and the recording have been checked, so `--help` or a typo never loads a model. */
export interface ReviewPartsLoader {
  load(signal: AbortSignal): Promise<ReviewParts>;
}

/** What `runReview` is built from: the parts themselves (tests) or a loader of the real ones (`viva review`). */
export type ReviewCliDeps = (ReviewParts | ReviewPartsLoader) & ReviewCliOptions;

/** Streams, signal and helpers of `runReview`. */
export interface ReviewCliOptions {
  stdout?: ReviewOutput;
  stderr?: ReviewOutput;
  /** Stops the run; default SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** ffprobe binary (`VIVA_FFPROBE_PATH`). */
  ffprobePath?: string;
  /** Reads --jd / --resume (PDF, .docx, text); default server/prep/extract.ts. */
  readDocument?: (filePath: string, signal: AbortSignal) => Promise<string>;
  now?: () => number;
}

/** Exit codes: 0 report written, 1 could not process, 2 bad usage, 130 interrupted. */
export const REVIEW_EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

const USAGE = `Usage: viva review RECORDING --out REPORT [options]

Transcribes and analyses a recorded interview (WAV, MP3, M4A/AAC, WebM/Opus, FLAC, OGG, video files too)
and writes a report. The interview is also kept in the data directory (VIVA_DATA_DIR) like a live one.

  --out FILE           report to write: .html (printable), .md or .json
  --jd FILE            job description (PDF, .docx, text or Markdown)
  --resume FILE        candidate's resume (PDF, .docx, text or Markdown)
  --language en|zh|auto  spoken language (default auto)
  --interviewer-channel first|second  a stereo recording with a speaker per channel is split; which channel is
                       the interviewer's (default first). Mono recordings get their speakers from their words
  --title TEXT         interview title (default: the recording's file name)
  --candidate NAME     candidate's name
  -h, --help           show this help

Models, data and the LLM come from the same settings as the server: VIVA_MODELS_DIR, VIVA_WHISPER_MODEL,
VIVA_WHISPER_THREADS, VIVA_DATA_DIR, VIVA_LLM_MODEL_FILE (embedded LLM, the default) or VIVA_LLM_BASE_URL,
VIVA_LLM_MODEL, VIVA_LLM_API_KEY (VIVA_LLM_OPTIONAL=true to transcribe without analysis).
`;

/** The report format an output path asks for, from its extension. */
export function reportFormatOf(filePath: string): ReportFormat | undefined {
  const extension = path.extname(filePath).toLowerCase();
  if (extension === '.html' || extension === '.htm') return 'html';
  if (extension === '.md' || extension === '.markdown') return 'md';
  if (extension === '.json') return 'json';
  return undefined;
}

/** The one-line progress bar: `[#####-----]  42% transcribing · 0:31`. */
export function reviewProgressLine(fraction: number, stage: string | null, elapsedMs: number, width = 24): string {
  const clamped = Math.max(0, Math.min(1, fraction));
  const filled = Math.round(clamped * width);
  const seconds = Math.floor(elapsedMs / 1000);
  const elapsed = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(clamped * 100)).padStart(3)}%${stage ? ` ${stage}` : ''} · ${elapsed}`;
}

async function defaultReadDocument(filePath: string, signal: AbortSignal): Promise<string> {
  return (await extractText(await readFile(filePath, { signal }), { signal })).text;
}

/** `viva review RECORDING --out FILE …`: processes a recording into a stored interview and writes its report. */
export async function runReview(argv: string[], deps: ReviewCliDeps): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const now = deps.now ?? (() => performance.now());
  const usage = (message: string): number => {
    stderr.write(`viva review: ${message}\n\n${USAGE}`);
    return REVIEW_EXIT.usage;
  };
  const fail = (message: string): number => {
    stderr.write(`viva review: ${message}\n`);
    return REVIEW_EXIT.failed;
  };

  let values: {
    out?: string;
    jd?: string;
    resume?: string;
    language?: string;
    title?: string;
    candidate?: string;
    'interviewer-channel'?: string;
    help?: boolean;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        jd: { type: 'string' },
        resume: { type: 'string' },
        language: { type: 'string' },
        title: { type: 'string' },
        candidate: { type: 'string' },
        'interviewer-channel': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    stdout.write(USAGE);
    return REVIEW_EXIT.ok;
  }
  if (positionals.length !== 1) return usage(positionals.length === 0 ? 'give the recording to review' : 'give exactly one recording');
  const recording = path.resolve(positionals[0] ?? '');
  if (!values.out) return usage('--out FILE is required (.html, .md or .json)');
  const out = path.resolve(values.out);
  const format = reportFormatOf(out);
  if (!format) return usage(`--out ${values.out}: the file name must end in .html, .md or .json`);
  const language = Language.safeParse(values.language ?? 'auto');
  if (!language.success) return usage('--language must be en, zh or auto');
  const interviewerChannel = values['interviewer-channel'] ?? 'first';
  if (interviewerChannel !== 'first' && interviewerChannel !== 'second') return usage('--interviewer-channel must be first or second');

  const controller = new AbortController();
  const onSignal = (): void => {
    if (!controller.signal.aborted) stderr.write('\nviva review: stopping; nothing of this run is kept\n');
    controller.abort(new Error('interrupted'));
  };
  if (deps.signal) {
    if (deps.signal.aborted) controller.abort(deps.signal.reason);
    else deps.signal.addEventListener('abort', onSignal, { once: true });
  } else {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const { signal } = controller;

  try {
    const readDocument = deps.readDocument ?? defaultReadDocument;
    const documents: { jobDescription: string | null; resume: string | null } = { jobDescription: null, resume: null };
    for (const [key, file, what] of [
      ['jobDescription', values.jd, 'job description'],
      ['resume', values.resume, 'resume'],
    ] as const) {
      if (!file) continue;
      try {
        documents[key] = await readDocument(file, signal);
      } catch (error) {
        const reason = error instanceof ExtractError ? error.message : ((error as NodeJS.ErrnoException).code ?? String(error));
        return fail(`cannot read the ${what} ${file}: ${reason}`);
      }
    }

    // Refuse a file that is not audio before creating anything.
    let probe: AudioProbe;
    try {
      probe = await probeAudioFile(recording, { signal, ffprobePath: deps.ffprobePath });
    } catch (error) {
      if (error instanceof DecodeError) return fail(`${positionals[0]}: ${error.message}`);
      throw error;
    }

    let parts: ReviewParts;
    if ('load' in deps) {
      try {
        parts = await deps.load(signal);
      } catch (error) {
        if (signal.aborted) {
          stderr.write('viva review: interrupted\n');
          return REVIEW_EXIT.interrupted;
        }
        return fail(error instanceof Error ? error.message : String(error));
      }
    } else {
      parts = deps;
    }
    const { repository } = parts;

    const interview = repository.createInterview({
      title: values.title ?? path.basename(recording),
      candidateName: values.candidate ?? null,
      jobDescription: documents.jobDescription,
      resume: documents.resume,
      language: language.data,
      mode: 'recording',
      status: 'stopped',
    });
    repository.updateInterviewStatus(interview.id, 'processing', { recordingJobId: 'cli' });

    const startedAt = now();
    const isTty = stderr.isTTY === true;
    let lastDecile = -1;
    let stage: string | null = null;
    let shown = 0;
    const show = (fraction: number): void => {
      shown = Math.max(shown, fraction);
      const line = reviewProgressLine(shown, stage, now() - startedAt);
      if (isTty) {
        const columns = stderr.columns ?? 100;
        stderr.write(`\r${line.slice(0, columns - 1).padEnd(columns - 1)}`);
        return;
      }
      // Not a terminal (a log file, CI): a line per tenth of the way instead of carriage returns.
      const decile = Math.floor(shown * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stderr.write(`${line}\n`);
      }
    };
    show(0);
    try {
      await parts.processRecording({
        interviewId: interview.id,
        filePath: recording,
        language: language.data,
        interviewerChannel,
        probe,
        signal,
        onProgress: (update) => {
          if (update.stage !== undefined) stage = update.stage;
          if (Number.isFinite(update.fraction)) show(Math.min(0.99, update.fraction));
        },
      });
      signal.throwIfAborted();
    } catch (error) {
      if (isTty) stderr.write('\n');
      // Nothing half-written: the interview stays, marked failed, without partial turns.
      await repository.deleteTranscript(interview.id);
      const message = signal.aborted
        ? 'interrupted'
        : error instanceof DecodeError
          ? error.message
          : `processing failed: ${error instanceof Error ? error.message : String(error)}`;
      repository.updateInterviewStatus(interview.id, 'failed', { message });
      if (signal.aborted) {
        stderr.write('viva review: interrupted\n');
        return REVIEW_EXIT.interrupted;
      }
      return fail(message);
    }
    stage = 'done';
    show(1);
    if (isTty) stderr.write('\n');
    repository.updateInterviewStatus(interview.id, 'done');

    const detail = repository.getInterviewDetail(interview.id);
    if (!detail) return fail(`interview ${interview.id} vanished before its report was written`);
    const report = renderReport(detail, format, { generatedAtMs: Date.now() });
    await writeFileAtomic(out, new TextEncoder().encode(report.body));
    const candidateTurns = detail.turns.filter((turn) => turn.channel === 'candidate').length;
    stdout.write(`${out}\n`);
    stderr.write(`viva review: ${detail.turns.length} turns (${candidateTurns} from the candidate); interview ${interview.id} kept\n`);
    return REVIEW_EXIT.ok;
  } finally {
    if (!deps.signal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    } else {
      deps.signal.removeEventListener('abort', onSignal);
    }
  }
}
