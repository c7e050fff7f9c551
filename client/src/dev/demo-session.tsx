import { useEffect, useMemo, useReducer, useState } from 'react';
import type { AnswerScore, FollowUpSuggestion } from '../../../protocol/index.ts';
import { createFakeFetch } from '../api/fake-fetch.ts';
import { createPrepApi } from '../api/prep-api.ts';
import { AppView, type AppScreen } from '../app.tsx';
import { I18nProvider } from '../i18n/i18n.tsx';
import { demoJobDescription, demoPrepRoutes as demoRoutes, demoResume } from './prep-fixtures.ts';
import { LevelStore } from '../session/level-store.ts';
import type { InterviewSession } from '../session/use-interview-session.ts';
import { initialInterviewState, interviewReducer, type InterviewState, type Turn } from '../state/interview-reducer.ts';

const turn = (turnId: string, channel: Turn['channel'], startS: number, endS: number, text: string, isFinal = true, arrival = 0): Turn => ({
  turnId,
  channel,
  text,
  startMs: startS * 1000,
  endMs: endS * 1000,
  isFinal,
  arrival,
});

const versions = { model: 'Qwen2.5-7B-Instruct', promptVersion: 'score-en@3', rubricVersion: 'custom' };

const strongAnswer: AnswerScore = {
  label: 'answer',
  overall: 7.3,
  remark: 'Concrete numbers and a clear account of backpressure; little on failure recovery.',
  dimensions: [
    {
      id: 'technical_skill',
      name: 'Technical skill',
      score: 8,
      reason: 'Chose partitioning and batching deliberately and knew the peak load.',
      evidence: [{ quote: 'Kafka partitioned by customer ID', startMs: 21_000, endMs: 24_000 }],
    },
    {
      id: 'clarity',
      name: 'Clarity',
      score: 7,
      reason: 'Structured from load to design to the hardest part.',
      evidence: [{ quote: 'The hardest part was backpressure', startMs: 36_000, endMs: 38_000 }],
    },
    {
      id: 'problem_solving',
      name: 'Problem solving',
      score: 7,
      reason: 'Preferred stopping consumption over unbounded buffering.',
      evidence: [{ quote: 'stop pulling from Kafka rather than buffering in memory', startMs: 41_000, endMs: 46_000 }],
    },
  ],
  ...versions,
};

const nonAnswer: AnswerScore = {
  label: 'non-answer',
  overall: null,
  dimensions: [],
  remark: 'Did not explain the batch interval; said it predated them.',
  ...versions,
};

const suggestionsFor2: FollowUpSuggestion[] = [
  {
    question: 'What happened to events for a customer whose partition fell behind while others kept up?',
    buildsOn: 'Kafka partitioned by customer ID',
    probes: 'Hot-partition handling and per-tenant fairness',
  },
  {
    question: 'How did you detect that ClickHouse was slowing down, and what threshold made consumers pause?',
    buildsOn: 'when ClickHouse slowed down we had to stop pulling from Kafka',
    probes: 'Whether the backpressure claim was measured or assumed',
  },
];

const suggestionsFor4: FollowUpSuggestion[] = [
  {
    question: 'If you had to pick the interval today, what would you measure to choose it?',
    buildsOn: 'it was already like that when I joined',
    probes: 'Reasoning about latency versus write amplification',
  },
];

/** A mid-interview state with every kind of content the live screen shows. */
export function demoState(kind: string): InterviewState {
  const base = initialInterviewState();
  const live = kind !== 'review';
  return {
    ...base,
    phase: kind === 'review' ? 'review' : kind === 'setup' ? 'setup' : 'live',
    sessionId: 'demo',
    connection: kind === 'setup' ? 'idle' : kind === 'offline' ? 'reconnecting' : 'connected',
    language: 'en',
    captureMode: 'mic-and-tab',
    channels: ['interviewer', 'candidate'],
    startedAt: new Date(Date.now() - 272_000).toISOString(),
    stoppedAt: live ? null : new Date().toISOString(),
    context: {
      title: 'Backend engineer, round 2',
      role: 'Senior backend engineer',
      rubric: {
        version: 'custom',
        dimensions: [
          { id: 'technical_skill', name: 'Technical skill', description: '', weight: 1 },
          { id: 'clarity', name: 'Clarity', description: '', weight: 1 },
          { id: 'problem_solving', name: 'Problem solving', description: '', weight: 1 },
        ],
      },
      plannedQuestions: [
        { id: 'q1', text: 'Walk me through a system you designed that had to handle high write throughput.' },
        { id: 'q2', text: 'Tell me about a time you disagreed with a teammate on a technical decision.' },
        { id: 'q3', text: 'How do you approach on-call and incident reviews?' },
      ],
    },
    turns: Object.fromEntries(
      [
        turn('t1', 'interviewer', 2, 9, 'Thanks for joining. Can you walk me through a system you designed that had to handle high write throughput?', true, 0),
        turn(
          't2',
          'candidate',
          10,
          48,
          'Sure. At my last company I built the ingestion pipeline for our metrics product. We took about two hundred thousand events per second at peak. I used Kafka partitioned by customer ID, and Go consumers that batched writes into ClickHouse every second. The hardest part was backpressure: when ClickHouse slowed down we had to stop pulling from Kafka rather than buffering in memory.',
          true,
          1,
        ),
        turn('t3', 'interviewer', 50, 54, 'How did you decide on one second for the batch interval?', true, 2),
        turn('t4', 'candidate', 55, 61, 'Honestly I don’t remember, it was already like that when I joined.', true, 3),
        turn('t5', 'interviewer', 63, 70, 'OK. Tell me about a time you disagreed with a teammate on a technical decision.', true, 4),
        turn(
          't6',
          'candidate',
          71,
          112,
          'We argued about moving the job queue from Redis to Postgres. I wrote a small benchmark and we found Postgres with SKIP LOCKED handled our load with a third of the operational work.',
          true,
          5,
        ),
        turn('t7', 'interviewer', 114, 117, 'What did the benchmark not cover?', true, 6),
        turn('t8', 'candidate', 118, 124, live ? 'It didn’t really cover failover, we assumed that' : 'It didn’t really cover failover; we assumed the managed database handled it.', !live, 7),
      ].map((t) => [t.turnId, t]),
    ),
    arrivals: 8,
    scores: { t2: strongAnswer, t4: nonAnswer, ...(live ? {} : { t6: { ...strongAnswer, overall: 7.7, remark: 'Settled the disagreement with data.' } }) },
    followUps: {
      t2: { streamText: '', suggestions: suggestionsFor2 },
      t4: { streamText: '', suggestions: suggestionsFor4 },
      ...(live ? { t6: { streamText: '{"suggestions":[{"question":"What made the benchmark representative of', suggestions: null } } : {}),
    },
    analysisErrors: live ? { t6: { code: 'llm-timeout', message: 'the model did not answer within 30 s', retryable: true, retrying: false } } : {},
    llmError: live ? { code: 'llm-timeout', message: 'the model did not answer within 30 s' } : null,
    speaking: { interviewer: false, candidate: live },
    buffer: kind === 'offline' ? { pendingFrames: 87, droppedFrames: 0, lostInTransitFrames: 0 } : base.buffer,
    stopResult: live
      ? null
      : {
          sessionId: 'demo',
          stats: {
            interviewer: { framesReceived: 1250, framesRejected: 0, framesDropped: 0, framesDuplicate: 0, gaps: 0, missingFrames: 0, audioMs: 125_000, turns: 4, partialsPublished: 12, partialsSkipped: 0 },
            candidate: { framesReceived: 1250, framesRejected: 0, framesDropped: 0, framesDuplicate: 0, gaps: 0, missingFrames: 0, audioMs: 125_000, turns: 4, partialsPublished: 31, partialsSkipped: 2 },
          },
        },
  };
}

/** A session whose state is canned; flips and ticks work, start/stop do nothing. */
function useDemoSession(kind: string): InterviewSession {
  const [state, dispatch] = useReducer(interviewReducer, kind, demoState);
  const [levels] = useState(() => new LevelStore());
  useEffect(() => {
    if (state.phase !== 'live') return;
    // Pretend levels so the meters move in screenshots.
    let step = 0;
    const timer = setInterval(() => {
      step++;
      levels.set('candidate', { rms: 0.05 + 0.04 * Math.abs(Math.sin(step / 3)), peak: 0.3 });
      levels.set('interviewer', { rms: 0.003, peak: 0.01 });
    }, 100);
    levels.set('candidate', { rms: 0.08, peak: 0.3 });
    levels.set('interviewer', { rms: 0.003, peak: 0.01 });
    return () => clearInterval(timer);
  }, [levels, state.phase]);
  return useMemo(
    () => ({
      state,
      levels,
      start: async () => {},
      stop: async () => dispatch({ type: 'session/stopped', result: null, error: null, stoppedAt: new Date().toISOString() }),
      retryAnalysis: async (turnId: string) => dispatch({ type: 'analysis/retry-requested', turnId }),
      reset: async () => dispatch({ type: 'session/reset' }),
      flipRole: (turnId: string) => dispatch({ type: 'turn/flip-role', turnId }),
      setQuestionCovered: (questionId: string, covered: boolean) => dispatch({ type: 'question/set-covered', questionId, covered }),
    }),
    [state, levels],
  );
}

const PREP_SCREENS: Record<string, AppScreen> = { prepare: 'prepare', screening: 'screening', automated: 'automated' };

/** The app on a canned state (`?demo=setup|live|offline|review|prepare|screening|automated`); prep screens answer from fixtures. */
export default function DemoApp({ kind }: { kind: string }) {
  return (
    <I18nProvider>
      <DemoView kind={kind} />
    </I18nProvider>
  );
}

function DemoView({ kind }: { kind: string }) {
  const screen = PREP_SCREENS[kind];
  const session = useDemoSession(screen ? 'setup' : kind);
  const [api] = useState(() => createPrepApi({ fetch: createFakeFetch(demoRoutes).fetch }));
  return (
    <AppView
      session={session}
      api={api}
      initialScreen={screen ?? 'interview'}
      initialDraft={{ role: 'Senior backend engineer', jobDescription: demoJobDescription, resume: demoResume, count: 3, language: 'en', blind: false }}
    />
  );
}
