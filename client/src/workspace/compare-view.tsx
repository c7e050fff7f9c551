import { useEffect, useState } from 'react';
import { problemOf, type Problem } from '../api/replies.ts';
import { findQuote } from '../state/highlight.ts';
import { dimensionRows, MAX_COMPARED, questionRows, type ComparedInterview } from './compare-model.ts';
import type { ReportSummary, WorkspaceApi } from './workspace-api.ts';
import { useWorkspaceText, type WorkspaceKey } from './workspace-text.ts';

type Loaded = { state: 'loading' } | { state: 'error'; problem: Problem } | { state: 'ready'; compared: ComparedInterview[] };
type Answer = ReportSummary['questions'][number]['answers'][number];

/** An answer with its first verified evidence quote marked. */
function AnswerCell({ answer }: { answer: Answer }) {
  const quote = answer.score?.dimensions.flatMap((dimension) => dimension.evidence.map((evidence) => evidence.quote))[0];
  const range = quote ? findQuote(answer.text, quote) : null;
  return (
    <div className="ws-compare__answer" data-testid="compare-answer">
      {answer.score?.overall != null && <strong className="ws-compare__score">{answer.score.overall.toFixed(1)}</strong>}
      <span>
        {range ? (
          <>
            {answer.text.slice(0, range[0])}
            <mark>{answer.text.slice(range[0], range[1])}</mark>
            {answer.text.slice(range[1])}
          </>
        ) : (
          answer.text
        )}
      </span>
    </div>
  );
}

/** Candidates of one role side by side: overall, recommendation, per-dimension averages, answers to the same question. */
export function CompareView({ api, role, onOpen, onBack }: { api: WorkspaceApi; role: string; onOpen: (id: string) => void; onBack: () => void }) {
  const { w, locale } = useWorkspaceText();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    (async () => {
      const page = await api.list({ role, limit: MAX_COMPARED }, controller.signal);
      const reports = await Promise.all(page.items.map((item) => api.report(item.id, locale, controller.signal)));
      return page.items.map((item, index) => ({ item, report: reports[index] as ReportSummary }));
    })().then(
      (compared) => setLoaded({ state: 'ready', compared }),
      (error: unknown) => {
        if (!controller.signal.aborted) setLoaded({ state: 'error', problem: problemOf(error) });
      },
    );
    return () => controller.abort();
  }, [api, role, locale]);

  const back = (
    <a href="/interviews" className="ws-link" onClick={(event) => (event.preventDefault(), onBack())}>
      {w('ws.back')}
    </a>
  );
  if (loaded.state !== 'ready') {
    return (
      <section className="ws">
        {back}
        {loaded.state === 'loading' ? <p className="muted">{w('ws.loading')}</p> : <p className="banner banner--error" role="alert">{w('ws.loadFailed', { message: loaded.problem.message })}</p>}
      </section>
    );
  }
  const { compared } = loaded;
  const columns = `minmax(160px, 1fr) repeat(${Math.max(1, compared.length)}, minmax(0, 2fr))`;
  return (
    <section className="ws" data-testid="compare-view">
      {back}
      <h1 className="ws__title">{w('ws.compareHeading', { role })}</h1>
      {compared.length === 0 ? (
        <p className="muted">{w('ws.compareNone')}</p>
      ) : (
        <>
          <p className="muted">{w('ws.compareIntro', { count: compared.length })}</p>
          <div className="panel ws-compare" style={{ gridTemplateColumns: columns }}>
            <span />
            {compared.map(({ item, report }) => (
              <div key={item.id} className="ws-compare__head" data-testid="compare-candidate">
                <a href={`/interviews/${encodeURIComponent(item.id)}`} className="ws-link" onClick={(event) => (event.preventDefault(), onOpen(item.id))}>
                  {item.candidateName || w('ws.unnamed')}
                </a>
                <span className="ws-num">{report.summary.weightedOverall === null ? '—' : `${report.summary.weightedOverall.toFixed(1)}/10`}</span>
                <span className={`rec rec--${report.summary.recommendation}`}>{w(`ws.rec.${report.summary.recommendation}` as WorkspaceKey)}</span>
              </div>
            ))}
            <h2 className="panel__title ws-compare__section">{w('ws.compareDimensions')}</h2>
            {dimensionRows(compared).map((row) => (
              <div key={row.id} className="ws-compare__row" data-testid="compare-dimension">
                <span className="dimension__name">{row.name}</span>
                {row.averages.map((average, index) => (
                  <span key={index} className="ws-num">
                    {average === null ? '—' : average.toFixed(1)}
                  </span>
                ))}
              </div>
            ))}
            <h2 className="panel__title ws-compare__section">{w('ws.compareQuestions')}</h2>
            {questionRows(compared).map((row) => (
              <div key={row.key} className="ws-compare__row" data-testid="compare-question">
                <span className="ws-compare__question">{row.text ?? w('ws.compareQuestionN', { n: row.index })}</span>
                {row.answers.map((answers, index) => (
                  <div key={index}>{answers.length === 0 ? <span className="muted">{w('ws.compareNoAnswer')}</span> : answers.map((answer) => <AnswerCell key={answer.turnId} answer={answer} />)}</div>
                ))}
              </div>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
