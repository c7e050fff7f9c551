import { useEffect, useRef, useState } from 'react';
import { fileToBase64, type PrepApi, type ScreeningResult, type ScreeningStatus } from '../api/prep-api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { apiErrorText } from './api-error.ts';

type Run =
  | { state: 'idle' }
  | { state: 'uploading' }
  | { state: 'running'; id: string; progress: ScreeningStatus['progress'] }
  | { state: 'done'; id: string; result: ScreeningResult }
  | { state: 'error'; message: string };

/** Props of the screening screen. */
export interface ScreeningScreenProps {
  api: PrepApi;
  /** Time between status polls. */
  pollIntervalMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

/** Batch screening: several resume files against one JD, progress while the server works, then the ranked table. */
export function ScreeningScreen({ api, pollIntervalMs = 1000 }: ScreeningScreenProps) {
  const { t } = useI18n();
  const [files, setFiles] = useState<File[]>([]);
  const [jd, setJd] = useState('');
  const [blind, setBlind] = useState(false);
  const [run, setRun] = useState<Run>({ state: 'idle' });
  const controller = useRef<AbortController | null>(null);
  // Stop polling when the screen goes away; the screening itself keeps running on the server.
  useEffect(() => () => controller.current?.abort(), []);

  const start = async () => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    const { signal } = abort;
    setRun({ state: 'uploading' });
    try {
      const uploaded = await Promise.all(files.map(async (file) => ({ name: file.name, contentBase64: await fileToBase64(file) })));
      const id = await api.startScreening({ jd, files: uploaded, blind }, signal);
      for (;;) {
        const status = await api.screeningStatus(id, signal);
        if (status.status === 'failed') throw new Error(status.error?.message ?? 'failed');
        if (status.status !== 'running') {
          setRun({ state: 'done', id, result: await api.screeningResult(id, signal) });
          return;
        }
        setRun({ state: 'running', id, progress: status.progress });
        await sleep(pollIntervalMs, signal);
      }
    } catch (error) {
      if (signal.aborted) return;
      setRun({ state: 'error', message: apiErrorText(t, error) });
    }
  };

  const busy = run.state === 'uploading' || run.state === 'running';
  const ready = files.length > 0 && jd.trim() !== '';
  return (
    <div className="prep" data-testid="screening-screen">
      <section className="panel prep__inputs">
        <h1 className="panel__title">{t('screen.heading')}</h1>
        <label className="field">
          <span className="field__label">{t('screen.files')}</span>
          <input
            type="file"
            multiple
            accept=".pdf,.docx,.txt,.md,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain"
            data-testid="screen-files"
            onChange={(e) => setFiles([...(e.currentTarget.files ?? [])])}
          />
          {files.length > 0 && <span className="field__hint">{t('screen.filesChosen', { count: files.length })}</span>}
        </label>
        <label className="field">
          <span className="field__label">{t('screen.jd')}</span>
          <textarea data-testid="screen-jd" rows={8} value={jd} onChange={(e) => setJd(e.currentTarget.value)} />
        </label>
        <label className="prep__inline">
          <input type="checkbox" data-testid="screen-blind" checked={blind} onChange={(e) => setBlind(e.currentTarget.checked)} />
          {t('screen.blind')}
        </label>
        <div className="prep__actions">
          <button type="button" className="button button--primary" data-testid="screen-start" disabled={!ready || busy} onClick={() => void start()}>
            {run.state === 'uploading' ? t('screen.starting') : t('screen.start')}
          </button>
          {!ready && <span className="field__hint">{t('screen.needInput')}</span>}
        </div>
      </section>
      <div className="prep__results">
        {run.state === 'error' && (
          <p className="banner banner--error" role="alert" data-testid="screen-error">
            {t('screen.failed', { message: run.message })}
          </p>
        )}
        {run.state === 'running' && (
          <section className="panel" data-testid="screen-progress">
            <progress className="progress" max={Math.max(1, run.progress.total)} value={run.progress.done} aria-label={t('screen.progressLabel')} />
            <p className="muted" data-testid="screen-progress-text">
              {t('screen.progress', { done: run.progress.done, total: run.progress.total })}
            </p>
          </section>
        )}
        {run.state === 'done' && <ScreeningResultView id={run.id} result={run.result} api={api} />}
      </div>
    </div>
  );
}

/** Ranked table, download links and the files that could not be screened with their reasons. */
function ScreeningResultView({ id, result, api }: { id: string; result: ScreeningResult; api: PrepApi }) {
  const { t } = useI18n();
  return (
    <section className="panel prep__result" data-testid="screen-result">
      {result.status === 'aborted' && <p className="banner banner--warn">{t('screen.aborted', { count: result.pending.length })}</p>}
      <p className="prep__actions">
        {t('screen.download')}
        {(['csv', 'json', 'html'] as const).map((format) => (
          <a key={format} className="button button--small" data-testid={`screen-download-${format}`} href={api.screeningResultUrl(id, format)} download={format === 'html' ? undefined : `screening-${id}.${format}`} target={format === 'html' ? '_blank' : undefined} rel="noreferrer">
            {format.toUpperCase()}
          </a>
        ))}
      </p>
      {result.ranked.length === 0 ? (
        <p className="muted">{t('screen.noneRanked')}</p>
      ) : (
        <table className="table" data-testid="screen-table">
          <thead>
            <tr>
              <th>{t('screen.rank')}</th>
              <th>{t('screen.file')}</th>
              <th>{t('screen.score')}</th>
              <th>{t('screen.summary')}</th>
            </tr>
          </thead>
          <tbody>
            {result.ranked.map((row) => (
              <tr key={`${row.rank}-${row.file}`} data-testid="screen-row">
                <td>{row.rank}</td>
                <td>
                  {row.file}
                  {row.candidateName && <div className="muted">{row.candidateName}</div>}
                </td>
                <td>
                  <strong>{row.match.score}</strong>
                </td>
                <td>{row.match.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result.failed.length > 0 && (
        <>
          <h3 className="panel__sub">{t('screen.unreadable')}</h3>
          <ul data-testid="screen-failed">
            {result.failed.map((failure) => (
              <li key={failure.file} data-testid="screen-failed-file">
                <strong>{failure.file}</strong>: {failure.reason} <span className="muted">({failure.code})</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
