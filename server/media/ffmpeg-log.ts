import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

// ffmpeg's stderr, read while it decodes: `-loglevel level+info` prefixes each log line with its level, and
// `-progress pipe:2` interleaves key=value progress blocks.

const MAX_LOG_LINES = 20;
const MAX_DETAIL_CHARS = 300;

/** Turns ffmpeg log lines into one short sentence without pointers or the server's paths. */
export function condenseFfmpegMessage(lines: readonly string[], filePath: string): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const line of lines) {
    const text = line
      .replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/i, '')
      .replace(/^\[(fatal|error|warning|info|panic)\]\s*/i, '')
      .split(filePath)
      .join(path.basename(filePath))
      .replace(/^To ignore this, add a trailing '\?' to the map\.?$/, '')
      .trim();
    if (text && !seen.has(text)) {
      seen.add(text);
      parts.push(text.replace(/[.:]$/, ''));
    }
  }
  const joined = parts.join('; ');
  return joined.length > MAX_DETAIL_CHARS ? `${joined.slice(0, MAX_DETAIL_CHARS - 1)}…` : joined;
}

/** `HH:MM:SS.ss` in ms, or null. */
function parseClock(text: string): number | null {
  const match = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text.trim());
  if (!match) return null;
  return Math.round((Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3])) * 1000);
}

/** What the log said so far. */
export interface FfmpegLog {
  /** Error lines (the last 20), for the failure message. */
  readonly errors: string[];
  /** Duration from the container's header, once ffmpeg printed it. */
  totalMs(): number | null;
  /** Handles a last line that had no newline; call once ffmpeg exited. */
  flush(): void;
}

/** Reads a running ffmpeg's stderr: progress to `onProgress`, warnings to `onWarning`, errors kept for the message. */
export function watchFfmpegLog(
  child: Pick<ChildProcessWithoutNullStreams, 'stderr'>,
  filePath: string,
  handlers: { onProgress?: ((progress: { processedMs: number; totalMs: number | null; fraction: number | null }) => void) | undefined; onWarning?: ((message: string) => void) | undefined },
): FfmpegLog {
  let totalMs: number | null = null;
  const errors: string[] = [];
  let pendingLine = '';
  const handleLine = (line: string): void => {
    const progressMatch = /^out_time_us=(\d+)$/.exec(line);
    if (progressMatch) {
      const processedMs = Math.round(Number(progressMatch[1]) / 1000);
      handlers.onProgress?.({ processedMs, totalMs, fraction: totalMs ? Math.min(1, processedMs / totalMs) : null });
      return;
    }
    if (/^[a-z_0-9]+=/.test(line)) return; // other progress keys
    const durationMatch = /Duration: ([\d:.]+|N\/A)/.exec(line);
    if (durationMatch && totalMs === null && line.includes('[info]')) {
      totalMs = durationMatch[1] === 'N/A' ? null : parseClock(durationMatch[1] ?? '');
      return;
    }
    if (/\[(fatal|error|panic)\]/.test(line) || !line.startsWith('[')) {
      errors.push(line);
      if (errors.length > MAX_LOG_LINES) errors.shift();
    } else if (/\[warning\]/.test(line) && !/Guessed Channel Layout/.test(line)) {
      handlers.onWarning?.(condenseFfmpegMessage([line], filePath));
    }
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    const lines = (pendingLine + text).split(/\r?\n|\r/);
    pendingLine = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) handleLine(line.trim());
  });
  return {
    errors,
    totalMs: () => totalMs,
    flush() {
      if (pendingLine.trim()) handleLine(pendingLine.trim());
      pendingLine = '';
    },
  };
}
