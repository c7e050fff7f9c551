import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { Job } from '../state/job.ts';

/** Minutes and seconds, `m:ss`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The wall clock, re-read every second while `active` (only the component that shows a running time re-renders). */
function useNowMs(active: boolean): number {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNowMs(Date.now());
    const timer = setInterval(() => setNowMs(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return nowMs;
}

/**
 * Progress line of a running job: what it is doing and for how long ("Waiting for the language model · 1:12"), with
 * the bytes of an upload; once done, how long it took. A slow model on a small machine takes minutes, so the time
 * shows that something is still happening.
 */
export function JobStatus({ job, testId, detail, showDuration = true }: { job: Job<unknown>; testId: string; detail?: string | undefined; showDuration?: boolean }) {
  const { t } = useI18n();
  const nowMs = useNowMs(job.state === 'running');
  if (job.state === 'idle' || job.state === 'error' || (job.state === 'done' && !showDuration)) return null;
  if (job.state === 'done') {
    return (
      <p className="job-status job-status--done muted" data-testid={testId} data-state="done">
        {t('job.took', { time: formatElapsed(job.endedAtMs - job.startedAtMs) })}
      </p>
    );
  }
  const bytes =
    job.step === 'sending' && job.totalBytes ? ` · ${t('job.bytes', { sent: Math.round((job.sentBytes ?? 0) / 1024), total: Math.max(1, Math.round(job.totalBytes / 1024)) })}` : '';
  return (
    <p className="job-status" role="status" data-testid={testId} data-state="running">
      <span className="job-status__spinner" aria-hidden="true" />
      <span>
        {t(`job.step.${job.step}`)}
        {detail ? ` · ${detail}` : ''}
        {bytes} · <span data-testid={`${testId}-elapsed`}>{formatElapsed(nowMs - job.startedAtMs)}</span>
      </span>
    </p>
  );
}
