import { useRef } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { PrepApi, ScreeningResult } from '../api/prep-api.ts';
import type { ScreeningSession } from '../session/use-screening-session.ts';
import { isRunning } from '../state/job.ts';
import { screeningReady } from '../state/screening-reducer.ts';
import { apiErrorText } from './api-error.ts';
import { JobStatus } from './job-status.tsx';
import { TEXT_FILE_TYPES } from '../api/upload-client.ts';

/** Props of the screening screen. */
export interface ScreeningScreenProps {
  session: ScreeningSession;
  /** For the download addresses of a finished screening. */
  api: PrepApi;
}

const kilobytes = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024))} kB`;

/** Batch screening: several resume files against one JD, progress while the server works, then the ranked table. */
export function ScreeningScreen({ session, api }: ScreeningScreenProps) {
  const { t } = useI18n();
  const { state, actions } = session;
  const { run, progress, files } = state;
  const busy = isRunning(run);
  const ready = screeningReady(state);
  const fileInput = useRef<HTMLInputElement>(null);
  return (
    <div className="wide" data-testid="screening-screen">
      <section className="panel wide__form">
        <div className="wide__head">
          <h1 className="panel__title">{t('screen.heading')}</h1>
          <p className="field__hint">{t('screen.intro')}</p>
        </div>
        <label className="field">
          <span className="field__label">{t('screen.jd')}</span>
          <textarea data-testid="screen-jd" rows={12} value={state.jobDescription} onChange={(e) => actions.edit({ jobDescription: e.currentTarget.value })} />
        </label>
        <div className="wide__side">
          <div className="field">
            <div className="field__label-row">
              <span className="field__label">{t('screen.files')}</span>
              <input
                ref={fileInput}
                type="file"
                multiple
                className="visually-hidden"
                tabIndex={-1}
                accept={TEXT_FILE_TYPES}
                data-testid="screen-files"
                disabled={busy}
                onChange={(e) => {
                  const chosen = [...(e.currentTarget.files ?? [])];
                  e.currentTarget.value = '';
                  if (chosen.length > 0) actions.chooseFiles(chosen);
                }}
              />
              <button type="button" className="button button--small" data-testid="screen-choose" disabled={busy} onClick={() => fileInput.current?.click()}>
                {t(files.length > 0 ? 'screen.chooseOther' : 'screen.choose')}
              </button>
            </div>
          </div>
          {files.length > 0 ? (
            <div className="field">
              <span className="field__hint">{t('screen.filesChosen', { count: files.length })}</span>
              <ul className="file-list" data-testid="screen-file-list">
                {files.map((file, index) => (
                  <li key={`${index}-${file.name}`} data-testid="screen-file">
                    <span className="file-list__name">{file.name}</span>
                    <span className="muted">{kilobytes(file.size)}</span>
                    {!busy && (
                      <button
                        type="button"
                        className="icon-button"
                        aria-label={t('screen.removeFile', { name: file.name })}
                        title={t('screen.removeFile', { name: file.name })}
                        onClick={() => actions.removeFile(index)}
                      >
                        ×
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <p className="muted file-list__empty">{t('screen.noFiles')}</p>
          )}
          <label className="prep__inline">
            <input type="checkbox" data-testid="screen-blind" checked={state.blind} onChange={(e) => actions.edit({ blind: e.currentTarget.checked })} />
            {t('screen.blind')}
          </label>
          <div className="prep__actions">
            <button type="button" className="button button--primary" data-testid="screen-start" disabled={!ready} onClick={() => void actions.start()}>
              {busy ? t('screen.running') : t('screen.start')}
            </button>
            {!ready && !busy && <span className="field__hint">{t('screen.needInput')}</span>}
          </div>
        </div>
      </section>
      <div className="wide__results">
        {run.state === 'error' && (
          <p className="banner banner--error" role="alert" data-testid="screen-error">
            {t('screen.failed', { message: apiErrorText(t, run.problem) })}
          </p>
        )}
        {busy && (
          <section className="panel" data-testid="screen-progress">
            <JobStatus job={run} testId="screen-status" />
            {progress && (
              <>
                <progress className="progress" max={Math.max(1, progress.total)} value={progress.done} aria-label={t('screen.progressLabel')} />
                <p className="muted" data-testid="screen-progress-text">
                  {t('screen.progress', { done: progress.done, total: progress.total })}
                  {progress.failed > 0 ? ` · ${t('screen.progressFailed', { count: progress.failed })}` : ''}
                </p>
              </>
            )}
          </section>
        )}
        {run.state === 'done' && (
          <>
            <JobStatus job={run} testId="screen-status" />
            <ScreeningResultView id={run.value.id} result={run.value.result} api={api} />
          </>
        )}

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
