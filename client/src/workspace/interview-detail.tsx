import { useCallback, useEffect, useMemo, useState } from 'react';
import { interviewDurationMs, type CorrectTurnRequest, type InterviewDetail } from '../../../protocol/interviews.ts';
import type { PrepApi } from '../api/prep-api.ts';
import { problemOf, type Problem } from '../api/replies.ts';
import { FeedbackLetterPanel } from '../components/feedback-letter.tsx';
import { downloadText } from '../state/export.ts';
import { csvRow, isAnswerHead, toInterviewState } from './detail-model.ts';
import { DetailTurns } from './detail-turns.tsx';
import { StateBadge } from './interviews-list.tsx';
import { formatDuration } from './list-state.ts';
import type { ReportSummary, WorkspaceApi } from './workspace-api.ts';
import { useWorkspaceText, type WorkspaceKey } from './workspace-text.ts';

/** How often an interview that is live, processing or being scored is read again. */
export const DETAIL_REFRESH_MS = 3000;

type Loaded = { state: 'loading' } | { state: 'error'; problem: Problem } | { state: 'ready'; detail: InterviewDetail; report: ReportSummary | null };

/** Answers still waiting for a score or a failure, and whether the interview can still change by itself. */
function stillChanging(detail: InterviewDetail): boolean {
  const status = detail.interview.status;
  if (status === 'live' || status === 'processing') return true;
  if (status === 'failed') return false;
  if (detail.analysis) return detail.analysis.pending > 0;
  return detail.turns.some((turn) => isAnswerHead(turn) && !turn.score && !turn.failure);
}

/** The list's state of a stored interview, from its detail. */
function stateOf(detail: InterviewDetail) {
  const answers = detail.turns.filter(isAnswerHead);
  // Answers are the stored analysis jobs when there are any (one per answer, which may span turns).
  const total = detail.analysis?.total ?? answers.length;
  const pending = detail.analysis?.pending ?? answers.filter((turn) => !turn.score && !turn.failure).length;
  const status = detail.interview.status;
  const state = status === 'live' || status === 'processing' || status === 'failed' ? status : pending > 0 ? 'scoring' : 'done';
  return { state, counts: { turns: detail.turns.length, answers: total, scored: 0, failed: 0, pending } } as const;
}

function DeleteButton({ onConfirm }: { onConfirm: () => Promise<void> }) {
  const { w } = useWorkspaceText();
  const [step, setStep] = useState<'idle' | 'confirm' | 'busy'>('idle');
  const [problem, setProblem] = useState<Problem | null>(null);
  if (step === 'idle') {
    return (
      <button type="button" className="button button--ghost" data-testid="delete-interview" onClick={() => setStep('confirm')}>
        {w('ws.delete')}
      </button>
    );
  }
  return (
    <div className="ws-confirm" role="alertdialog" aria-labelledby="ws-delete-question" data-testid="delete-confirm">
      <p id="ws-delete-question">{w('ws.deleteConfirm')}</p>
      {problem && <p className="field__note field__note--error">{w('ws.deleteFailed', { message: problem.message })}</p>}
      <button
        type="button"
        className="button button--stop"
        data-testid="delete-yes"
        disabled={step === 'busy'}
        onClick={() => {
          setStep('busy');
          onConfirm().catch((error: unknown) => {
            setProblem(problemOf(error));
            setStep('confirm');
          });
        }}
      >
        {step === 'busy' ? w('ws.deleting') : w('ws.deleteYes')}
      </button>
      {/* autoFocus: the safe answer has the focus, so Enter keeps the interview. */}
      <button type="button" className="button" data-testid="delete-no" autoFocus onClick={() => setStep('idle')}>
        {w('ws.deleteNo')}
      </button>
    </div>
  );
}

/** The report's average per rubric dimension (nothing when no dimension has one). */
function DimensionAverages({ dimensions }: { dimensions: ReportSummary['summary']['dimensions'] }) {
  const { w } = useWorkspaceText();
  if (!dimensions.some((dimension) => dimension.average !== null)) return null;
  return (
    <section className="panel" aria-labelledby="ws-dimensions">
      <h2 id="ws-dimensions" className="panel__title">
        {w('ws.dimensionAverages')}
      </h2>
      <ul className="dimensions dimensions--summary">
        {dimensions.map((dimension) => (
          <li key={dimension.id} className="dimension" data-testid="dimension-average">
            <div className="dimension__row">
              <span className="dimension__name">{dimension.name}</span>
              <span className="dimension__bar" aria-hidden="true">
                <span style={{ width: `${(dimension.average ?? 0) * 10}%` }} />
              </span>
              <span className="dimension__score">{dimension.average === null ? '—' : `${dimension.average.toFixed(1)}/10`}</span>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Report downloads (HTML, Markdown, JSON from the server; a CSV row for an ATS built here) and delete. */
function ExportActions({ api, detail, report, onDelete }: { api: WorkspaceApi; detail: InterviewDetail; report: ReportSummary | null; onDelete: () => Promise<void> }) {
  const { w, locale } = useWorkspaceText();
  const { interview } = detail;
  const stem = `interview-${(interview.candidateName || interview.id).replace(/[^\p{L}\p{N}]+/gu, '-')}`;
  return (
    <div className="review__actions">
      <span className="muted">{w('ws.export')}</span>
      <a className="button" data-testid="export-html" href={api.reportUrl(interview.id, 'html', locale, true)} download>
        {w('ws.exportHtml')}
      </a>
      <a className="button" data-testid="export-md" href={api.reportUrl(interview.id, 'md', locale, true)} download>
        {w('ws.exportMd')}
      </a>
      <a className="button" data-testid="export-json" href={api.reportUrl(interview.id, 'json', locale, true)} download>
        {w('ws.exportJson')}
      </a>
      <button
        type="button"
        className="button"
        data-testid="export-csv"
        onClick={() => downloadText(`${stem}.csv`, csvRow(detail, report, new URL(api.reportUrl(interview.id, 'html', locale), window.location.href).href), 'text/csv')}
      >
        {w('ws.exportCsv')}
      </button>
      <DeleteButton onConfirm={onDelete} />
    </div>
  );
}

/** Who, for what role, when, how long, where it stands, the overall and recommendation; exports and delete. */
function DetailHeader(props: { api: WorkspaceApi; detail: InterviewDetail; report: ReportSummary | null; changing: boolean; onDelete: () => Promise<void> }) {
  const { api, detail, report, changing, onDelete } = props;
  const { w, locale } = useWorkspaceText();
  const { interview } = detail;
  const durationMs = interviewDurationMs(detail);
  const date = new Date(interview.createdAtMs).toLocaleString(locale === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  const summary = report?.summary;
  return (
    <header className="review__head panel">
      <div>
        <h1 className="review__title" data-testid="detail-candidate">
          {interview.candidateName || w('ws.unnamed')}
        </h1>
        <p className="muted">{[interview.role, interview.title].filter(Boolean).join(' · ') || '—'}</p>
        <p>
          {w('ws.meta', { mode: w(`ws.mode.${interview.mode}`), date, duration: formatDuration(durationMs) })} <StateBadge item={stateOf(detail)} />
        </p>
        {interview.statusMessage && <p className="field__note field__note--error">{interview.statusMessage}</p>}
        {changing && <p className="muted">{w('ws.updating')}</p>}
        {summary && (
          <p className="ws-summary" data-testid="detail-summary">
            <strong>{w('ws.overall')}:</strong> {summary.weightedOverall === null ? '—' : `${summary.weightedOverall.toFixed(1)}/10`} ·{' '}
            <strong>{w('ws.recommendation')}:</strong>{' '}
            <span className={`rec rec--${summary.recommendation}`}>{w(`ws.rec.${summary.recommendation}` as WorkspaceKey)}</span> ·{' '}
            {w('ws.answersScored', { scored: summary.counts.scored, answers: summary.counts.answers })}
          </p>
        )}
      </div>
      <ExportActions api={api} detail={detail} report={report} onDelete={onDelete} />
    </header>
  );
}

/** One stored interview at `/interviews/:id`: summary, exports, delete, feedback letter and the transcript with scores. */
export function InterviewDetailView({
  api,
  prepApi,
  interviewId,
  onBack,
  onDeleted,
}: {
  api: WorkspaceApi;
  prepApi?: PrepApi;
  interviewId: string;
  onBack: () => void;
  onDeleted: () => void;
}) {
  const { w, locale } = useWorkspaceText();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    Promise.all([api.detail(interviewId, controller.signal), api.report(interviewId, locale, controller.signal).catch(() => null)]).then(
      ([detail, report]) => setLoaded({ state: 'ready', detail, report }),
      (error: unknown) => {
        if (!controller.signal.aborted) setLoaded({ state: 'error', problem: problemOf(error) });
      },
    );
    return () => controller.abort();
  }, [api, interviewId, locale, refresh]);

  const changing = loaded.state === 'ready' && stillChanging(loaded.detail);
  useEffect(() => {
    if (!changing) return;
    const timer = setTimeout(() => setRefresh((n) => n + 1), DETAIL_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [changing, loaded]);

  const letterState = useMemo(() => (loaded.state === 'ready' ? toInterviewState(loaded.detail) : null), [loaded]);
  const audioUrl = useCallback((turnId: string) => api.turnAudioUrl(interviewId, turnId), [api, interviewId]);
  // A correction clears the changed answers' scores on the server at once: reading the interview again shows them as
  // being scored, and the refresh goes on until their new scores are stored.
  const correct = useCallback(
    async (turnId: string, correction: CorrectTurnRequest) => {
      await api.correctTurn(interviewId, turnId, correction, AbortSignal.timeout(30_000));
      setRefresh((n) => n + 1);
    },
    [api, interviewId],
  );

  const back = (
    <a
      href="/interviews"
      className="ws-link"
      data-testid="back-to-list"
      onClick={(event) => {
        event.preventDefault();
        onBack();
      }}
    >
      {w('ws.back')}
    </a>
  );
  if (loaded.state === 'loading') return <section className="ws">{back}<p className="muted">{w('ws.loading')}</p></section>;
  if (loaded.state === 'error') {
    const text = loaded.problem.code === 'not-found' ? w('ws.notFound') : w('ws.loadFailed', { message: loaded.problem.message });
    return (
      <section className="ws">
        {back}
        <p className="banner banner--error" role="alert" data-testid="detail-error">
          {text}
        </p>
      </section>
    );
  }

  const { detail, report } = loaded;
  const { interview } = detail;
  const summary = report?.summary;
  return (
    <section className="ws" data-testid="interview-detail" data-interview-id={interview.id}>
      {back}
      <DetailHeader
        api={api}
        detail={detail}
        report={report}
        changing={changing}
        onDelete={async () => {
          await api.remove(interview.id, AbortSignal.timeout(30_000));
          onDeleted();
        }}
      />

      {summary && <DimensionAverages dimensions={summary.dimensions} />}

      {prepApi && letterState && <FeedbackLetterPanel state={letterState} api={prepApi} />}

      <section className="review__timeline" aria-label={w('ws.transcript')}>
        <h2 className="panel__title">{w('ws.transcript')}</h2>
        <DetailTurns detail={detail} audioUrl={audioUrl} {...(interview.status === 'processing' ? {} : { onCorrect: correct })} />
      </section>
    </section>
  );
}
