import type { InterviewDetail, InterviewListItem, InterviewPage } from '../../../protocol/interviews.ts';
import type { AnswerScore } from '../../../protocol/schemas.ts';

// Fixtures of the workspace's component tests (not bundled: only test files import them).

/** A list row; `overrides` replace fields. */
export function listItem(overrides: Partial<InterviewListItem> = {}): InterviewListItem {
  return {
    id: 'iv-1',
    title: 'Backend loop',
    role: 'Backend engineer',
    candidateName: 'Ada Lovelace',
    language: 'en',
    mode: 'copilot',
    status: 'stopped',
    statusMessage: null,
    createdAtMs: Date.UTC(2026, 2, 3, 9, 30),
    updatedAtMs: Date.UTC(2026, 2, 3, 10, 0),
    endedAtMs: Date.UTC(2026, 2, 3, 10, 0),
    counts: { turns: 8, answers: 4, scored: 4, failed: 0, pending: 0 },
    state: 'done',
    durationMs: 1_805_000,
    overall: 7.4,
    recommendation: 'hire',
    ...overrides,
  };
}

/** A page of rows. */
export function page(items: InterviewListItem[], total = items.length, offset = 0): InterviewPage {
  return { items, total, limit: 20, offset, roles: ['Backend engineer', 'Data scientist'] };
}

const score: AnswerScore = {
  label: 'answer',
  dimensions: [{ id: 'depth', name: 'Technical depth', score: 8, reason: 'explains the sharding trade-off', evidence: [{ quote: 'we sharded by tenant', startMs: 0, endMs: 900 }] }],
  overall: 8,
  remark: 'Clear and concrete.',
  model: 'qwen',
  promptVersion: 'score@3',
  rubricVersion: 'default-v1',
};

/** A stored interview: a question, a scored answer with audio and suggestions, a second answer still pending. */
export function detail(): InterviewDetail {
  const base = { language: 'en', segments: [], createdAtMs: 0 };
  return {
    interview: {
      id: 'iv-1',
      title: 'Backend loop',
      role: 'Backend engineer',
      jobDescription: null,
      resume: null,
      candidateName: 'Ada Lovelace',
      language: 'en',
      mode: 'recording',
      context: {},
      status: 'done',
      statusMessage: null,
      createdAtMs: Date.UTC(2026, 2, 3, 9, 30),
      updatedAtMs: 0,
      endedAtMs: null,
      audioRetentionDays: null,
      transcriptRetentionDays: null,
      consent: null,
      audioPurgedAtMs: null,
      transcriptPurgedAtMs: null,
    },
    channels: [],
    turns: [
      { ...base, turnId: 't1', channel: 'interviewer', startMs: 0, endMs: 4000, text: 'How did you scale the database?', hasAudio: true, suggestions: null, score: null, failure: null },
      {
        ...base,
        turnId: 't2',
        channel: 'candidate',
        startMs: 4500,
        endMs: 20_000,
        text: 'First we sharded by tenant, then added read replicas.',
        hasAudio: true,
        suggestions: { suggestions: [{ question: 'How did you rebalance shards?', buildsOn: 'sharded by tenant', probes: 'depth' }], model: 'qwen', promptVersion: 'f@1', createdAtMs: 0 },
        score,
        failure: null,
      },
      { ...base, turnId: 't3', channel: 'candidate', startMs: 21_000, endMs: 30_000, text: 'And we cached the hot keys.', hasAudio: false, suggestions: null, score: null, failure: null },
    ],
  };
}

/** The report JSON the detail view reads. */
export const reportJson = {
  summary: {
    recommendation: 'insufficient-evidence',
    weightedOverall: 8,
    dimensions: [{ id: 'depth', name: 'Technical depth', weight: 1, average: 8, count: 1 }],
    counts: { answers: 2, scored: 1, failed: 0, pending: 1, noEvidence: 0, notAnswers: 0 },
  },
  questions: [],
};
