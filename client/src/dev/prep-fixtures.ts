import type { InterviewPlan, JobMatch } from '../../../protocol/prep.ts';
import type { FakeRoutes } from '../api/fake-fetch.ts';

/** A job description for demos and tests. */
export const demoJobDescription = `Senior backend engineer (payments)
We need someone who has run Go services in production, designed Kafka pipelines and owns on-call.
Required: Go, Kafka, PostgreSQL. Nice to have: Kubernetes, ClickHouse.`;

/** A resume for demos and tests. */
export const demoResume = `Li Wei — Backend engineer
2019–2024 Acme Pay: built the settlement service in Go, processing 40k events per second.
Designed an event pipeline on Kafka partitioned by customer ID; moved reporting to ClickHouse.
2017–2019 Shopfront: PHP developer. Left after 8 months at two jobs in 2016.`;

/** A job match whose claims quote the demo resume. */
export const demoMatch: JobMatch = {
  score: 78,
  skillsMatched: [
    { skill: 'Go', quote: 'built the settlement service in Go, processing 40k events per second' },
    { skill: 'Kafka', quote: 'Designed an event pipeline on Kafka partitioned by customer ID' },
    { skill: 'ClickHouse', quote: 'moved reporting to ClickHouse' },
  ],
  skillsMissing: [
    { skill: 'PostgreSQL', importance: 'required' },
    { skill: 'Kubernetes', importance: 'nice-to-have' },
  ],
  experienceEvaluation: { assessment: 'Five years of backend work on payments at scale, matching the seniority asked for.', quote: '2019–2024 Acme Pay' },
  redFlags: [{ flag: 'Two short stints in 2016', quote: 'Left after 8 months at two jobs in 2016' }],
  summary: 'Strong Go and Kafka experience on a payments system; PostgreSQL and on-call ownership are not shown.',
  unverifiedClaims: [{ kind: 'skill', claim: 'Terraform', quote: 'managed infrastructure with Terraform' }],
  blind: false,
  language: 'en',
  model: 'Qwen2.5-7B-Instruct',
  promptVersion: 'match-job@1',
};

/** A three-question plan for the demo JD and resume. */
export const demoPlan: InterviewPlan = {
  language: 'en',
  questions: [
    {
      id: 'q1',
      text: 'How did the Kafka pipeline keep per-customer ordering when a partition fell behind?',
      kind: 'technical',
      competency: 'Event pipelines',
      basis: 'resume',
      quote: 'Kafka partitioned by customer ID',
      quoteVerified: true,
      rationale: 'Checks depth behind the pipeline claim.',
    },
    {
      id: 'q2',
      text: 'Which PostgreSQL schema or query problem have you had to fix under load?',
      kind: 'technical',
      competency: 'PostgreSQL',
      basis: 'jd',
      quote: 'Required: Go, Kafka, PostgreSQL',
      quoteVerified: true,
      rationale: 'PostgreSQL is required but not on the resume.',
    },
    {
      id: 'q3',
      text: 'Tell me about an incident you owned on call from page to post-mortem.',
      kind: 'behavioural',
      competency: 'Ownership',
      basis: 'jd',
      quote: 'owns on-call',
      quoteVerified: true,
      rationale: 'On-call ownership is in the JD.',
    },
  ],
  warnings: [],
  model: 'Qwen2.5-7B-Instruct',
  promptVersion: 'plan-questions@1',
};

const matchAndPlanRoutes: FakeRoutes = {
  'POST /api/match': { json: { match: demoMatch } },
  'POST /api/plans': { json: { plan: demoPlan, plannedQuestions: demoPlan.questions.map(({ id, text }) => ({ id, text })) } },
};

/** A feedback letter for the demo review. */
export const demoLetter = {
  subject: 'Your interview for Senior backend engineer',
  greeting: 'Dear candidate,',
  paragraphs: ['Thank you for walking us through the event pipeline you built.'],
  strengths: ['Clear account of backpressure with real numbers'],
  improvements: ['Say more about failure recovery'],
  closing: 'Kind regards,',
  language: 'en' as const,
  text: 'Dear candidate,\n\nThank you for walking us through the event pipeline you built.\n\nStrengths:\n- Clear account of backpressure with real numbers\n\nTo work on:\n- Say more about failure recovery\n\nKind regards,',
  model: 'Qwen2.5-7B-Instruct',
  promptVersion: 'feedback-letter@1',
};

const demoToken = 'v1.eyJpIjoiZGVtby1pbnRlcnZpZXcifQ.ZGVtby1zaWduYXR1cmUtZGVtbw';
const demoLinkExpiresAtMs = Date.UTC(2030, 0, 1, 12);

/** Fake API routes answering every preparation call with the fixtures above (tests and `?demo=` screens). */
export const demoPrepRoutes: FakeRoutes = {
  ...matchAndPlanRoutes,
  'POST /api/feedback': { json: { letter: demoLetter } },
  'POST /api/screenings': { status: 202, json: { id: 'demo-screening', status: 'running' } },
  'GET /api/screenings/demo-screening': (_body: unknown, call: number) => ({
    json: { id: 'demo-screening', status: call < 3 ? 'running' : 'complete', progress: { total: 3, done: Math.min(3, call), ranked: Math.min(2, call), failed: 0 }, error: null },
  }),
  'GET /api/screenings/demo-screening/result': {
    json: {
      status: 'complete',
      total: 3,
      ranked: [
        { rank: 1, file: 'li-wei.pdf', candidateName: null, match: demoMatch },
        { rank: 2, file: 'sam-lee.docx', candidateName: null, match: { ...demoMatch, score: 52, summary: 'PHP and MySQL background; no Go or Kafka.' } },
      ],
      failed: [{ file: 'scan.pdf', code: 'no-text', reason: 'the PDF has no text layer (a scanned image?)', retryable: false }],
      pending: [],
    },
  },
  'POST /api/automated-interviews': {
    status: 201,
    json: {
      interview: { id: 'demo-interview' },
      link: { linkId: 'demo-link', interviewId: 'demo-interview', expiresAtMs: demoLinkExpiresAtMs, createdAtMs: demoLinkExpiresAtMs - 72 * 3_600_000, revokedAtMs: null, token: demoToken, url: `${globalThis.location?.origin ?? 'http://localhost:3000'}/interview#${demoToken}` },
    },
  },
  'GET /api/automated-interviews/demo-interview': {
    json: {
      interviewId: 'demo-interview',
      state: 'invited',
      timeBudgetMs: 1_200_000,
      startedAtMs: null,
      endedAtMs: null,
      endReason: null,
      consent: null,
      links: [{ linkId: 'demo-link', interviewId: 'demo-interview', expiresAtMs: demoLinkExpiresAtMs, createdAtMs: demoLinkExpiresAtMs - 72 * 3_600_000, revokedAtMs: null }],
      events: [],
    },
  },
};
