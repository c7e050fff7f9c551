import type { PlannedQuestion } from '../../../protocol/index.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { coveredQuestions } from '../state/question-coverage.ts';
import type { InterviewState } from '../state/interview-reducer.ts';

/** Checklist of planned questions, ticked when asked (heuristic) or by hand. */
export function PlannedQuestions({
  questions,
  state,
  onSetCovered,
}: {
  questions: PlannedQuestion[];
  state: Pick<InterviewState, 'turns' | 'roleOverrides' | 'manualCoverage' | 'captureMode'>;
  onSetCovered: (questionId: string, covered: boolean) => void;
}) {
  const { t } = useI18n();
  const coverage = coveredQuestions(questions, state);
  const coveredCount = questions.filter((q) => coverage[q.id]?.covered).length;
  return (
    <section className="panel questions" data-testid="planned-questions" aria-labelledby="questions-heading">
      <h2 id="questions-heading" className="panel__title">
        {t('questions.heading')}
        {questions.length > 0 && <span className="panel__count">{t('questions.progress', { covered: coveredCount, total: questions.length })}</span>}
      </h2>
      {questions.length === 0 ? (
        <p className="muted">{t('questions.none')}</p>
      ) : (
        <ul className="checklist">
          {questions.map((question) => {
            const entry = coverage[question.id];
            const covered = entry?.covered ?? false;
            return (
              <li key={question.id} data-testid="planned-question" data-question-id={question.id} data-covered={String(covered)}>
                <label className={`check ${covered ? 'check--done' : ''}`}>
                  <input
                    type="checkbox"
                    checked={covered}
                    aria-label={t('questions.toggle', { question: question.text })}
                    onChange={(event) => onSetCovered(question.id, event.currentTarget.checked)}
                  />
                  <span>{question.text}</span>
                  {covered && !entry?.manual && <span className="check__auto">{t('questions.auto')}</span>}
                </label>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
