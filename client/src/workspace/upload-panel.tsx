import { useEffect, useRef, useState } from 'react';
import type { Language } from '../../../protocol/schemas.ts';
import { problemOf, type Problem } from '../api/replies.ts';
import type { WorkspaceApi } from './workspace-api.ts';
import { useWorkspaceText, type WorkspaceKey } from './workspace-text.ts';

/** How often the processing status is asked for. */
export const STATUS_POLL_MS = 1000;

/** Where one upload stands. */
export type UploadPhase =
  | { phase: 'idle' }
  | { phase: 'uploading'; fraction: number }
  | { phase: 'queued' }
  | { phase: 'processing'; fraction: number; stage: string | null }
  | { phase: 'done'; interviewId: string }
  | { phase: 'failed'; problem: Problem };

/** The form's fields besides the file. */
export interface UploadFields {
  candidateName: string;
  role: string;
  language: Language;
  jobDescription: string;
  resume: string;
  plan: string;
}

const emptyFields: UploadFields = { candidateName: '', role: '', language: 'en', jobDescription: '', resume: '', plan: '' };

/** Planned questions from the text box, one a line. */
export function plannedQuestionsOf(plan: string): { id: string; text: string }[] {
  return plan
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, 100)
    .map((text, index) => ({ id: `q${index + 1}`, text: text.slice(0, 2000) }));
}

/**
 * Creates an interview from the fields, uploads the file (bytes sent as progress), then follows the processing status
 * (decoding, transcribing, scoring) until it is done or failed; reports every phase through `onPhase`.
 */
export async function runUpload(api: WorkspaceApi, file: File, fields: UploadFields, signal: AbortSignal, onPhase: (phase: UploadPhase) => void): Promise<string> {
  const questions = plannedQuestionsOf(fields.plan);
  const interview = await api.create(
    {
      mode: 'recording',
      language: fields.language,
      title: file.name.slice(0, 200),
      ...(fields.candidateName.trim() ? { candidateName: fields.candidateName.trim().slice(0, 200) } : {}),
      ...(fields.role.trim() ? { role: fields.role.trim().slice(0, 200) } : {}),
      ...(fields.jobDescription.trim() ? { jobDescription: fields.jobDescription.trim() } : {}),
      ...(fields.resume.trim() ? { resume: fields.resume.trim() } : {}),
      ...(questions.length > 0 ? { plannedQuestions: questions } : {}),
    },
    signal,
  );
  onPhase({ phase: 'uploading', fraction: 0 });
  await api.uploadRecording(interview.id, file, fields.language, signal, (progress) =>
    onPhase({ phase: 'uploading', fraction: progress.totalBytes > 0 ? progress.sentBytes / progress.totalBytes : 0 }),
  );
  for (;;) {
    const status = await api.recordingStatus(interview.id, signal);
    if (status.state === 'done') return interview.id;
    if (status.state === 'failed' || status.state === 'cancelled') {
      throw Object.assign(new Error(status.error?.message ?? status.state), { code: status.error?.code ?? status.state });
    }
    onPhase(status.state === 'queued' ? { phase: 'queued' } : { phase: 'processing', fraction: status.progress, stage: status.stage });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, STATUS_POLL_MS);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      }, { once: true });
    });
  }
}

function PhaseLine({ phase }: { phase: UploadPhase }) {
  const { w } = useWorkspaceText();
  const percent = (fraction: number) => Math.round(fraction * 100);
  let text = '';
  let fraction: number | null = null;
  if (phase.phase === 'uploading') {
    text = w('ws.uploading', { percent: percent(phase.fraction) });
    fraction = phase.fraction;
  } else if (phase.phase === 'queued') text = w('ws.queued');
  else if (phase.phase === 'processing') {
    const known = ['decoding', 'transcribing', 'analysing', 'done'].includes(phase.stage ?? '');
    const stage = known ? w(`ws.stage.${phase.stage}` as WorkspaceKey) : (phase.stage ?? w('ws.stage.decoding'));
    text = w('ws.processing', { stage, percent: percent(phase.fraction) });
    fraction = phase.fraction;
  } else if (phase.phase === 'done') text = w('ws.uploadDone');
  else if (phase.phase === 'failed') text = w('ws.uploadFailed', { message: phase.problem.message });
  if (!text) return null;
  return (
    <div className="ws-progress" data-testid="upload-progress" data-phase={phase.phase} role={phase.phase === 'failed' ? 'alert' : 'status'}>
      <span>{text}</span>
      {fraction !== null && <progress max={1} value={fraction} />}
    </div>
  );
}

/** Who the candidate is, the role, the spoken language and the optional JD, résumé and plan. */
function FieldsGrid({ fields, busy, set }: { fields: UploadFields; busy: boolean; set: (patch: Partial<UploadFields>) => void }) {
  const { w } = useWorkspaceText();
  return (
    <div className="ws-upload__grid">
      <label className="field">
        <span className="field__label">{w('ws.candidateName')}</span>
        <input data-testid="upload-candidate" value={fields.candidateName} disabled={busy} onChange={(e) => set({ candidateName: e.currentTarget.value })} />
      </label>
      <label className="field">
        <span className="field__label">{w('ws.role')}</span>
        <input data-testid="upload-role" value={fields.role} disabled={busy} onChange={(e) => set({ role: e.currentTarget.value })} />
      </label>
      <label className="field">
        <span className="field__label">{w('ws.language')}</span>
        <select data-testid="upload-language" value={fields.language} disabled={busy} onChange={(e) => set({ language: e.currentTarget.value as Language })}>
          <option value="en">{w('ws.lang.en')}</option>
          <option value="zh">{w('ws.lang.zh')}</option>
          <option value="auto">{w('ws.lang.auto')}</option>
        </select>
      </label>
      <label className="field">
        <span className="field__label">{w('ws.jd')}</span>
        <textarea rows={3} value={fields.jobDescription} disabled={busy} onChange={(e) => set({ jobDescription: e.currentTarget.value })} />
      </label>
      <label className="field">
        <span className="field__label">{w('ws.resume')}</span>
        <textarea rows={3} value={fields.resume} disabled={busy} onChange={(e) => set({ resume: e.currentTarget.value })} />
      </label>
      <label className="field">
        <span className="field__label">{w('ws.plan')}</span>
        <textarea rows={3} data-testid="upload-plan" value={fields.plan} disabled={busy} onChange={(e) => set({ plan: e.currentTarget.value })} />
      </label>
    </div>
  );
}

/** Upload of a recorded call: drop or choose a file, say who and for what role, then watch it being processed. */
export function UploadPanel({ api, onClose, onDone }: { api: WorkspaceApi; onClose: () => void; onDone: (interviewId: string) => void }) {
  const { w } = useWorkspaceText();
  const [file, setFile] = useState<File | null>(null);
  const [fields, setFields] = useState<UploadFields>(emptyFields);
  const [phase, setPhase] = useState<UploadPhase>({ phase: 'idle' });
  const [dragging, setDragging] = useState(false);
  const [missingFile, setMissingFile] = useState(false);
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);

  const busy = phase.phase === 'uploading' || phase.phase === 'queued' || phase.phase === 'processing';
  const set = (patch: Partial<UploadFields>) => setFields((current) => ({ ...current, ...patch }));
  const start = () => {
    if (!file) return setMissingFile(true);
    setMissingFile(false);
    controller.current = new AbortController();
    setPhase({ phase: 'uploading', fraction: 0 });
    runUpload(api, file, fields, controller.current.signal, setPhase).then(
      (interviewId) => {
        setPhase({ phase: 'done', interviewId });
        onDone(interviewId);
      },
      (error: unknown) => {
        if (!controller.current?.signal.aborted) setPhase({ phase: 'failed', problem: problemOf(error) });
      },
    );
  };

  return (
    <section className="panel ws-upload" data-testid="upload-panel" aria-labelledby="ws-upload-heading">
      <h2 id="ws-upload-heading" className="panel__title">
        {w('ws.uploadHeading')}
      </h2>
      <p className="muted">{w('ws.uploadIntro')}</p>
      <label
        className={`ws-drop ${dragging ? 'ws-drop--over' : ''}`}
        data-testid="upload-drop"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          const dropped = event.dataTransfer.files[0];
          if (dropped) setFile(dropped);
        }}
      >
        <strong>{file ? w('ws.chosen', { name: file.name, size: (file.size / 1e6).toFixed(1) }) : w('ws.drop')}</strong>
        <span className="link-button">{w('ws.choose')}</span>
        <input
          type="file"
          className="visually-hidden"
          data-testid="upload-file"
          accept="audio/*,video/*,.wav,.mp3,.m4a,.mp4,.webm,.ogg,.flac,.mov,.mkv"
          disabled={busy}
          onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)}
        />
      </label>
      {missingFile && <p className="field__note field__note--error">{w('ws.needFile')}</p>}
      <FieldsGrid fields={fields} busy={busy} set={set} />
      <PhaseLine phase={phase} />
      <div className="prep__actions">
        <button type="button" className="button button--primary" data-testid="upload-start" disabled={busy} onClick={start}>
          {w('ws.start')}
        </button>
        <button type="button" className="button button--ghost" onClick={onClose}>
          {w('ws.close')}
        </button>
      </div>
    </section>
  );
}
