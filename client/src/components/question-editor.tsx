import type { MessageKey } from '../i18n/dictionary.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { newRowKey, type QuestionRow } from '../state/setup-form.ts';

/** Editable list of planned questions (setup form and AI interview form); test ids are `<testIdPrefix>-question-N`. */
export function QuestionEditor({
  rows,
  onChange,
  testIdPrefix = 'setup',
  hintKey = 'setup.questionsHint',
}: {
  rows: QuestionRow[];
  onChange: (rows: QuestionRow[]) => void;
  testIdPrefix?: string;
  hintKey?: MessageKey;
}) {
  const { t } = useI18n();
  return (
    <fieldset className="group">
      <legend className="field__label">{t('setup.questions')}</legend>
      <p className="field__hint">{t(hintKey)}</p>
      <ol className="rows">
        {rows.map((row, index) => (
          <li key={row.key} className="rows__row" data-testid={`${testIdPrefix}-question-row`}>
            <textarea
              className="rows__question"
              rows={2}
              aria-label={t('setup.question', { n: index + 1 })}
              placeholder={t('setup.question', { n: index + 1 })}
              data-testid={`${testIdPrefix}-question-${index}`}
              value={row.text}
              maxLength={2000}
              onChange={(e) => {
                const text = e.currentTarget.value;
                onChange(rows.map((q) => (q.key === row.key ? { ...q, text } : q)));
              }}
            />
            <button
              type="button"
              className="icon-button"
              aria-label={t('setup.removeQuestion', { n: index + 1 })}
              title={t('setup.removeQuestion', { n: index + 1 })}
              onClick={() => onChange(rows.filter((q) => q.key !== row.key))}
            >
              ×
            </button>
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="button button--small button--ghost"
        data-testid={`${testIdPrefix}-add-question`}
        onClick={() => onChange([...rows, { key: newRowKey(), text: '' }])}
      >
        + {t('setup.addQuestion')}
      </button>
    </fieldset>
  );
}
