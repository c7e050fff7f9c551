import { useState } from 'react';
import type { CorrectTurnRequest, TurnDetail } from '../../../protocol/interviews.ts';
import { problemOf, type Problem } from '../api/replies.ts';
import { useWorkspaceText } from './workspace-text.ts';

/** Sends a correction of one turn; resolves once the server stored it (the answers it changed are being re-scored). */
export type SubmitCorrection = (turnId: string, correction: CorrectTurnRequest) => Promise<void>;

/** Where a turn's speaker came from: a guess with its confidence, or a person's correction (nothing for a channel). */
export function RoleNote({ turn }: { turn: TurnDetail }) {
  const { w } = useWorkspaceText();
  if (turn.roleSource === 'auto') {
    const percent = Math.round(50 + (turn.roleConfidence ?? 0) * 50);
    return (
      <span className="muted ws-role" data-testid="role-guess" data-confidence={turn.roleConfidence ?? 0}>
        {w('ws.roleGuess', { percent })}
      </span>
    );
  }
  if (turn.roleSource === 'user') return <span className="muted ws-role" data-testid="role-corrected">{w('ws.roleCorrected')}</span>;
  return null;
}

/**
 * A person's correction of one turn: the other speaker said it, or a word was misheard. Either is sent to the server,
 * which regroups the answers and re-scores the ones that changed (shown as "Scoring…" until the new score arrives).
 */
export function TurnCorrection({ turn, onSubmit }: { turn: TurnDetail; onSubmit: SubmitCorrection }) {
  const { w } = useWorkspaceText();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(turn.text);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const submit = (correction: CorrectTurnRequest): void => {
    setBusy(true);
    setProblem(null);
    onSubmit(turn.turnId, correction).then(
      () => {
        setBusy(false);
        setEditing(false);
      },
      (error: unknown) => {
        setBusy(false);
        setProblem(problemOf(error));
      },
    );
  };
  const other = turn.channel === 'candidate' ? 'interviewer' : 'candidate';
  return (
    <div className="ws-correct" data-testid="turn-correction">
      <RoleNote turn={turn} />
      <button type="button" className="button button--ghost button--small" data-testid="relabel-turn" disabled={busy} onClick={() => submit({ channel: other })}>
        {other === 'interviewer' ? w('ws.makeInterviewer') : w('ws.makeCandidate')}
      </button>
      {!editing && (
        <button type="button" className="button button--ghost button--small" data-testid="edit-turn-text" disabled={busy} onClick={() => setEditing(true)}>
          {w('ws.editText')}
        </button>
      )}
      {editing && (
        <form
          className="ws-correct__form"
          onSubmit={(event) => {
            event.preventDefault();
            if (text.trim() !== '' && text !== turn.text) submit({ text: text.trim() });
          }}
        >
          <textarea aria-label={w('ws.editText')} data-testid="turn-text-input" value={text} rows={3} onChange={(event) => setText(event.target.value)} />
          <button type="submit" className="button button--small" data-testid="save-turn-text" disabled={busy || text.trim() === '' || text === turn.text}>
            {busy ? w('ws.correcting') : w('ws.saveText')}
          </button>
          <button type="button" className="button button--ghost button--small" onClick={() => setEditing(false)}>
            {w('ws.cancelEdit')}
          </button>
        </form>
      )}
      {busy && !editing && <span className="muted">{w('ws.correcting')}</span>}
      {problem && (
        <p className="field__note field__note--error" role="alert" data-testid="correct-error">
          {w('ws.correctFailed', { message: problem.message })}
        </p>
      )}
    </div>
  );
}
