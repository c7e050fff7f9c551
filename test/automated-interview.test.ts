import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float32ToPcm16, msToSamples } from '../protocol/audio.ts';
import type { InterviewEndEvent, InterviewQuestionEvent } from '../protocol/automated.ts';
import { FakeTranscriber } from '../server/asr/fake.ts';
import { createLinkSigner, loadLinkSecret } from '../server/automated/link-tokens.ts';
import { ask, connectCandidate, startAutomatedApp, type AutomatedApp, type CandidateClient } from './automated-app.ts';
import { readSharedWav } from './helpers/speech-app.ts';

// The real server (Socket.IO, Silero VAD, storage, analysis, automated feature, fake vLLM over HTTP) with a scripted
// transcriber so the follow-up decision sees words. A simulated candidate streams real speech like a microphone: 100 ms
// frames in real time, silence between answers, frames held while offline and resent from the server's nextSeq.

const FRAME_MS = 100;
const FRAME_SAMPLES = msToSamples(FRAME_MS);
/** Test timings: short pauses so each scenario runs in seconds. */
const FAST = { answerEndPauseMs: 1500, thinkingPauseMs: 2000, noAnswerTimeoutMs: 4000, maxAnswerMs: 30_000 } as const;

let app: AutomatedApp;
/** Two JFK phrases (~4.6 s, with a 1 s pause inside that must not end the answer). */
let answerClip: Float32Array;
const transcriber = new FakeTranscriber({ delayMs: 200, respond: () => 'I designed a queue on Kafka for payments and it was fast' });

beforeAll(async () => {
  app = await startAutomatedApp({ transcriber });
  const jfk = await readSharedWav('whisper.cpp-samples/jfk.wav');
  answerClip = jfk.subarray(0, msToSamples(4_700));
}, 60_000);

afterAll(async () => {
  await app?.close();
});

interface Logged {
  name: string;
  payload: Record<string, unknown>;
  atMs: number;
}

/** How the simulated candidate behaves when Viva asks. */
interface Behaviour {
  /** Time the "browser" takes to speak a question (after which it reports speaking-end), or 'wait' for a barge-in. */
  speakMs: number;
  /** Answer audio for a question, started `answerAfterMs` after the question arrived; null stays silent. */
  answer(question: InterviewQuestionEvent): Float32Array | null;
  answerAfterMs: number;
}

/** A candidate browser: join → consent → resume → ready, a real-time microphone, speaking reports, reconnects. */
class SimulatedCandidate {
  socket!: CandidateClient;
  readonly log: Logged[] = [];
  sessionId = '';
  private readonly frames: Uint8Array[] = [];
  private queue: Float32Array[] = [];
  private timer: NodeJS.Timeout | undefined;
  private startedAtMs = 0;
  online = false;
  readonly t0 = performance.now();

  constructor(
    private readonly token: string,
    private readonly behaviour: Behaviour,
  ) {}

  async connect(): Promise<Record<string, unknown>> {
    this.socket = await connectCandidate(app.port);
    // The co-pilot events are listened for only to check that a candidate never receives them.
    const copilotEvents = ['transcript:partial', 'transcript:final', 'followup:delta', 'followup:end', 'score:final', 'analysis:error'];
    for (const name of ['interview:question', 'interview:listening', 'interview:thinking', 'interview:end', 'speech:start', 'speech:end', 'error', ...copilotEvents]) {
      this.socket.on(name as 'interview:end', (payload: unknown) => this.onEvent(name, payload as Record<string, unknown>));
    }
    const joined = await ask(this.socket, 'interview:join', { token: this.token });
    this.log.push({ name: 'ack:join', payload: joined as never, atMs: this.now() });
    if (!joined.ok) throw new Error(`join refused: ${joined.error.code}`);
    this.sessionId = String(joined.data.sessionId);
    return joined.data;
  }

  async consent(): Promise<void> {
    const reply = await ask(this.socket, 'interview:consent', { agreed: true, locale: 'en', consentTextVersion: 'automated-consent@1' });
    this.log.push({ name: 'ack:consent', payload: reply as never, atMs: this.now() });
    if (!reply.ok) throw new Error(`consent refused: ${reply.error.code}`);
  }

  /** session:resume (opens the session), resend missing frames, then interview:ready. */
  async start(): Promise<Record<string, unknown>> {
    const resumed = (await this.socket.timeout(10_000).emitWithAck('session:resume', { sessionId: this.sessionId })) as
      | { ok: true; data: { nextSeq: { candidate?: number } } }
      | { ok: false; error: { code: string } };
    if (!resumed.ok) throw new Error(`resume refused: ${resumed.error.code}`);
    this.online = true;
    for (let seq = resumed.data.nextSeq.candidate ?? 0; seq < this.frames.length; seq++) this.send(seq);
    if (!this.timer) this.startMic();
    const ready = await ask(this.socket, 'interview:ready', { sessionId: this.sessionId });
    this.log.push({ name: 'ack:ready', payload: ready as never, atMs: this.now() });
    if (!ready.ok) throw new Error(`ready refused: ${ready.error.code}`);
    return ready.data;
  }

  /** Drops the connection (frames keep being captured and held). */
  disconnect(): void {
    this.online = false;
    this.socket.removeAllListeners();
    this.socket.disconnect();
    this.log.push({ name: 'client:disconnect', payload: {}, atMs: this.now() });
  }

  async reconnect(): Promise<Record<string, unknown>> {
    await this.connect();
    this.log.push({ name: 'client:reconnect', payload: {}, atMs: this.now() });
    return this.start();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.socket.disconnect();
  }

  named(name: string): Record<string, unknown>[] {
    return this.log.filter((entry) => entry.name === name).map((entry) => entry.payload);
  }

  async waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const started = performance.now();
    while (!predicate()) {
      if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}; log: ${this.log.map((e) => e.name).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private now(): number {
    return Math.round(performance.now() - this.t0);
  }

  private audioMs(): number {
    return this.frames.length * FRAME_MS;
  }

  private onEvent(name: string, payload: Record<string, unknown>): void {
    this.log.push({ name, payload, atMs: this.now() });
    if (name === 'interview:question') {
      const question = payload as unknown as InterviewQuestionEvent;
      this.socket.emit('interview:speaking-start', { sessionId: this.sessionId, questionId: question.questionId, audioMs: this.audioMs() });
      setTimeout(() => {
        if (this.online && !this.bargedIn(question.questionId)) {
          this.socket.emit('interview:speaking-end', { sessionId: this.sessionId, questionId: question.questionId, audioMs: this.audioMs(), reason: 'finished' });
        }
      }, this.behaviour.speakMs);
      const clip = this.behaviour.answer(question);
      if (clip) setTimeout(() => this.queue.push(clip), this.behaviour.answerAfterMs);
    }
    if (name === 'interview:listening' && payload.reason === 'barge-in') {
      this.socket.emit('interview:speaking-end', { sessionId: this.sessionId, questionId: String(payload.questionId), audioMs: this.audioMs(), reason: 'barge-in' });
    }
  }

  private bargedIn(questionId: string): boolean {
    return this.log.some((entry) => entry.name === 'interview:listening' && entry.payload.questionId === questionId && entry.payload.reason === 'barge-in');
  }

  /** A microphone: one 100 ms frame per 100 ms of wall clock, from the answer queue or silence. */
  private startMic(): void {
    this.startedAtMs = performance.now();
    const tick = () => {
      const due = Math.floor((performance.now() - this.startedAtMs) / FRAME_MS);
      while (this.frames.length < due) {
        const samples = this.takeFrame();
        this.frames.push(float32ToPcm16(samples));
        if (this.online) this.send(this.frames.length - 1);
      }
    };
    this.timer = setInterval(tick, 20);
  }

  private takeFrame(): Float32Array {
    const frame = new Float32Array(FRAME_SAMPLES);
    let filled = 0;
    while (filled < FRAME_SAMPLES && this.queue.length > 0) {
      const head = this.queue[0]!;
      const take = Math.min(head.length, FRAME_SAMPLES - filled);
      frame.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(take);
    }
    return frame;
  }

  private send(seq: number): void {
    const pcm = this.frames[seq];
    if (pcm) this.socket.emit('audio:frame', { sessionId: this.sessionId, channel: 'candidate', seq, pcm: pcm.buffer as ArrayBuffer });
  }
}

const PLAN = [
  { id: 'q1', text: 'Tell me about a system you designed.' },
  { id: 'q2', text: 'How do you test concurrent code?' },
];

async function create(turnTaking: Record<string, number> = FAST, plannedQuestions = PLAN) {
  return app.createInterview({
    role: 'Backend engineer',
    language: 'en',
    candidateName: 'Test Candidate',
    plannedQuestions,
    timeBudgetMinutes: 10,
    turnTaking,
  });
}

function sequence(candidate: SimulatedCandidate): string[] {
  return candidate.log
    .filter((entry) => entry.name.startsWith('interview:') || entry.name.startsWith('ack:') || entry.name.startsWith('client:'))
    .map((entry) => {
      if (entry.name === 'interview:question') return `question ${String(entry.payload.questionId)}`;
      if (entry.name === 'interview:listening') return `listening ${String(entry.payload.reason)}`;
      if (entry.name === 'interview:end') return `end ${String(entry.payload.reason)}`;
      return entry.name.replace('interview:', '');
    });
}

describe('automated interview over Socket.IO (real VAD, real storage, fake LLM)', () => {
  it('runs consent → question 1 → answer → follow-up → answer → question 2 → answer → end, and stores it all', async () => {
    app.setFollowUps(['What latency did you measure?', null]);
    const decisionsBefore = app.decisionRequests().length;
    const { interview, link } = await create();
    expect(link.url).toBe(`${app.origin}/interview#${link.token}`);
    const candidate = new SimulatedCandidate(link.token, { speakMs: 1200, answerAfterMs: 1500, answer: () => answerClip });
    const joined = await candidate.connect();
    expect(joined).toMatchObject({ interviewId: interview.id, state: 'invited', questionCount: 2, language: 'en', timeBudgetMs: 600_000 });
    await candidate.consent();
    const ready = await candidate.start();
    expect(ready).toMatchObject({ phase: 'speaking', question: { questionId: 'q1', index: 1, total: 2, kind: 'planned' } });
    await candidate.waitFor(() => candidate.named('interview:end').length > 0, 90_000, 'interview:end');

    expect(sequence(candidate)).toEqual([
      'ack:join',
      'ack:consent',
      'question q1',
      'ack:ready',
      'listening spoken',
      'thinking',
      'question q1~f1',
      'listening spoken',
      'question q2',
      'listening spoken',
      'thinking',
      'end completed',
    ]);
    const followUp = candidate.named('interview:question')[1];
    expect(followUp).toMatchObject({ kind: 'follow-up', index: 1, text: 'What latency did you measure?' });
    const end = candidate.named('interview:end')[0] as unknown as InterviewEndEvent;
    expect(end).toEqual({ sessionId: interview.id, reason: 'completed', questionsAsked: 3, answered: 3 });
    // Each answer was one answer, though it had a 1 s pause inside: 2 VAD turns per answer, one decision per planned question.
    const speechStarts = candidate.named('speech:start').length;
    expect(speechStarts).toBeGreaterThanOrEqual(6);
    const decisions = app.decisionRequests().slice(decisionsBefore);
    expect(decisions).toHaveLength(2);
    const firstDecision = JSON.stringify(decisions[0]?.body);
    expect(firstDecision).toContain('Tell me about a system you designed.');
    expect(firstDecision).toContain('I designed a queue on Kafka');

    // The browser stops the session after interview:end; wait for the stored status.
    // The stop is answered as soon as capture ends; the interview is closed once its last final is out.
    const ended = new Promise<void>((resolve) => candidate.socket.once('session:end', () => resolve()));
    await candidate.socket.timeout(60_000).emitWithAck('session:stop', { sessionId: interview.id });
    await ended;
    candidate.stop();
    const detail = app.repository.getInterviewDetail(interview.id);
    expect(detail?.interview).toMatchObject({ mode: 'automated', status: 'stopped', consent: { given: true, method: 'checkbox' } });
    expect(detail?.interview.statusMessage).toContain('AI-run');
    const consentAt = detail?.interview.consent?.atMs ?? 0;
    expect(consentAt).toBeGreaterThan(Date.now() - 120_000);
    const vivaTurns = detail?.turns.filter((turn) => turn.channel === 'interviewer') ?? [];
    expect(vivaTurns.map((turn) => turn.text)).toEqual(['Tell me about a system you designed.', 'What latency did you measure?', 'How do you test concurrent code?']);
    // Viva's question turns sit on the candidate's audio timeline, before the answers to them.
    const candidateTurns = detail?.turns.filter((turn) => turn.channel === 'candidate') ?? [];
    expect(candidateTurns.length).toBe(speechStarts);
    expect(candidateTurns[0]!.startMs).toBeGreaterThanOrEqual(vivaTurns[0]!.endMs - 300);
    expect(vivaTurns[1]!.startMs).toBeGreaterThan(candidateTurns[1]!.endMs - 300);
    const status = await (await app.admin.fetch(`${app.origin}/api/automated-interviews/${interview.id}`)).json();
    expect(status).toMatchObject({ state: 'ended', endReason: 'completed', consent: { given: true } });
    const types = (status.events as { type: string }[]).map((event) => event.type);
    expect(types.slice(0, 3)).toEqual(['created', 'consent', 'started']);
    expect(types.filter((type) => type === 'decision')).toHaveLength(2);
    // The report is the same one live interviews get, marked as automated.
    const report = await (await app.admin.fetch(`${app.origin}/api/interviews/${interview.id}/report?format=md`)).text();
    expect(report).toContain('Automated');
    expect(report).toContain('What latency did you measure?');
    // Its answers were transcribed and scored, but none of that went to the candidate's socket.
    expect(candidateTurns.some((turn) => turn.score !== null)).toBe(true);
    for (const name of ['transcript:partial', 'transcript:final', 'followup:delta', 'followup:end', 'score:final', 'analysis:error']) expect(candidate.named(name), name).toEqual([]);
  }, 120_000);

  it('a candidate who says nothing: each question times out, then the interview ends as no-response', async () => {
    const { interview, link } = await create({ ...FAST, noAnswerTimeoutMs: 2500, maxSilentAnswers: 2 }, [...PLAN, { id: 'q3', text: 'Why this role?' }]);
    const candidate = new SimulatedCandidate(link.token, { speakMs: 800, answerAfterMs: 0, answer: () => null });
    await candidate.connect();
    await candidate.consent();
    await candidate.start();
    await candidate.waitFor(() => candidate.named('interview:end').length > 0, 30_000, 'interview:end');
    candidate.stop();
    expect(sequence(candidate).filter((step) => step.startsWith('question') || step.startsWith('end') || step === 'thinking')).toEqual([
      'question q1',
      'question q2',
      'end no-response',
    ]);
    expect(candidate.named('interview:end')[0]).toMatchObject({ questionsAsked: 2, answered: 0 });
    expect(candidate.named('speech:start')).toHaveLength(0);
    const answers = app.automated.store.events(interview.id).filter((event) => event.type === 'answer-end');
    expect(answers.map((event) => event.data)).toEqual([
      expect.objectContaining({ questionId: 'q1', empty: true, endedBy: 'no-answer' }),
      expect.objectContaining({ questionId: 'q2', empty: true, endedBy: 'no-answer' }),
    ]);
  }, 60_000);

  it('a candidate who talks over the questions: Viva stops speaking (barge-in) and takes that speech as the answer', async () => {
    app.setFollowUps([null]);
    const { interview, link } = await create(FAST, [PLAN[0]!]);
    // The "browser" would speak for 8 s; the candidate starts 200 ms after the question arrives.
    const candidate = new SimulatedCandidate(link.token, { speakMs: 8_000, answerAfterMs: 200, answer: () => answerClip });
    await candidate.connect();
    await candidate.consent();
    await candidate.start();
    await candidate.waitFor(() => candidate.named('interview:end').length > 0, 40_000, 'interview:end');
    candidate.stop();
    const listening = candidate.named('interview:listening');
    expect(listening[0]).toMatchObject({ questionId: 'q1', reason: 'barge-in' });
    // Barge-in came well before the 8 s the question would have taken.
    const question = candidate.log.find((entry) => entry.name === 'interview:question')!;
    const bargeIn = candidate.log.find((entry) => entry.name === 'interview:listening')!;
    expect(bargeIn.atMs - question.atMs).toBeLessThan(3_000);
    expect(candidate.named('interview:end')[0]).toMatchObject({ reason: 'completed', answered: 1 });
    const events = app.automated.store.events(interview.id);
    expect(events.some((event) => event.type === 'barge-in')).toBe(true);
    const speakingEnd = events.find((event) => event.type === 'speaking-end');
    expect(speakingEnd?.data).toMatchObject({ reason: 'barge-in' });
    // The answer spoken over Viva is marked as overlapping but is not taken for echo: it ran on after Viva stopped.
    const segments = events.filter((event) => event.type === 'segment');
    expect(segments[0]?.data).toMatchObject({ bargeIn: true, echo: false });
    expect(events.find((event) => event.type === 'answer-end')?.data).toMatchObject({ empty: false });
  }, 60_000);

  it('a candidate who disconnects and comes back within a minute continues where they left off', async () => {
    app.setFollowUps([null]);
    const { interview, link } = await create({ ...FAST, noAnswerTimeoutMs: 3000 });
    let answers = 0;
    const candidate = new SimulatedCandidate(link.token, {
      speakMs: 800,
      answerAfterMs: 1000,
      // Answers q1; q2 is answered only when asked again after the reconnect.
      answer: (question) => (question.questionId === 'q1' || (question.questionId === 'q2' && ++answers > 1) ? answerClip : null),
    });
    await candidate.connect();
    await candidate.consent();
    await candidate.start();
    await candidate.waitFor(() => candidate.named('interview:question').some((q) => q.questionId === 'q2'), 40_000, 'question 2');
    await candidate.waitFor(() => candidate.named('interview:listening').some((l) => l.questionId === 'q2'), 10_000, 'listening to q2');
    candidate.disconnect();
    // Away for 5 s: longer than the 3 s no-answer timeout, which must not run while the candidate is gone.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const ready = await candidate.reconnect();
    expect(ready).toMatchObject({ question: { questionId: 'q2' } });
    await candidate.waitFor(() => candidate.named('interview:end').length > 0, 40_000, 'interview:end');
    candidate.stop();
    const q2Asks = candidate.named('interview:question').filter((q) => q.questionId === 'q2');
    expect(q2Asks).toHaveLength(2); // asked again after the return, with the same id
    // No follow-ups this time: q1 and q2, each answered once (q2 after it was asked again).
    expect(candidate.named('interview:end')[0]).toMatchObject({ reason: 'completed', questionsAsked: 2, answered: 2 });
    const events = app.automated.store.events(interview.id);
    const types = events.map((event) => event.type);
    expect(types).toContain('disconnected');
    expect(types).toContain('reconnected');
    expect(events.filter((event) => event.type === 'answer-end').map((event) => event.data.empty)).toEqual([false, false]);
    // The 5 s away is not counted against the time budget.
    const ended = events.find((event) => event.type === 'ended')!;
    const started = events.find((event) => event.type === 'started')!;
    expect(Number(ended.data.elapsedMs)).toBeLessThan(ended.atMs - started.atMs - 4_000);
  }, 90_000);

  it('links: bad, tampered, expired, revoked and used links are refused; nothing is captured before consent', async () => {
    const { interview, link } = await create();
    const socket = await connectCandidate(app.port);
    try {
      expect(await ask(socket, 'interview:join', { token: 'not-a-token-at-all-xxxxxxxx' })).toMatchObject({ ok: false, error: { code: 'link-invalid' } });
      const tampered = `${link.token.slice(0, -3)}${link.token.endsWith('A') ? 'BBB' : 'AAA'}`;
      expect(await ask(socket, 'interview:join', { token: tampered })).toMatchObject({ ok: false, error: { code: 'link-invalid' } });
      const signer = createLinkSigner(loadLinkSecret(app.dataDir));
      const expired = signer.sign({ interviewId: interview.id, linkId: link.linkId, expiresAtMs: Date.now() - 1 });
      expect(await ask(socket, 'interview:join', { token: expired })).toMatchObject({ ok: false, error: { code: 'link-expired' } });
      // A link signed for another interview's id with this link id does not open it.
      const other = signer.sign({ interviewId: 'someone-else', linkId: link.linkId, expiresAtMs: Date.now() + 60_000 });
      expect(await ask(socket, 'interview:join', { token: other })).toMatchObject({ ok: false, error: { code: 'link-invalid' } });

      // Before joining, nothing else is accepted: the socket is anonymous (server/auth/socket-auth.ts).
      expect(await ask(socket, 'interview:consent', { agreed: true, locale: 'en', consentTextVersion: 'automated-consent@1' })).toMatchObject({
        ok: false,
        error: { code: 'unauthenticated' },
      });
      expect(await ask(socket, 'interview:join', { token: link.token })).toMatchObject({ ok: true, data: { state: 'invited' } });
      // Before consent: the session cannot be opened and frames are refused.
      const resumed = await socket.timeout(5_000).emitWithAck('session:resume', { sessionId: interview.id });
      expect(resumed).toMatchObject({ ok: false, error: { code: 'unknown-session' } });
      const refused = new Promise<Record<string, unknown>>((resolve) => socket.once('error', (event) => resolve(event as never)));
      socket.emit('audio:frame', { sessionId: interview.id, channel: 'candidate', seq: 0, pcm: new ArrayBuffer(3200) });
      expect(await refused).toMatchObject({ code: 'unknown-session' });
      expect(await ask(socket, 'interview:ready', { sessionId: interview.id })).toMatchObject({ ok: false, error: { code: 'consent-required' } });
      expect(await ask(socket, 'interview:consent', { agreed: false, locale: 'en', consentTextVersion: 'automated-consent@1' } as never)).toMatchObject({
        ok: false,
        error: { code: 'invalid-payload' },
      });
      expect(app.repository.getInterview(interview.id)?.consent).toBeNull();
      expect(app.repository.getInterviewDetail(interview.id)?.channels).toEqual([]);

      // Revoked: a new link works, the old one does not.
      const fresh = await (await app.admin.fetch(`${app.origin}/api/automated-interviews/${interview.id}/links`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"validHours": 1}' })).json();
      const revoke = await app.admin.fetch(`${app.origin}/api/automated-interviews/${interview.id}/links/${link.linkId}`, { method: 'DELETE' });
      expect(revoke.status).toBe(204);
      expect(await ask(socket, 'interview:join', { token: link.token })).toMatchObject({ ok: false, error: { code: 'link-revoked' } });
      expect(await ask(socket, 'interview:join', { token: fresh.token })).toMatchObject({ ok: true });

      // After the interview ended, the link is used up.
      const stop = await app.admin.fetch(`${app.origin}/api/automated-interviews/${interview.id}/stop`, { method: 'POST' });
      expect(stop.status).toBe(202);
      expect(await ask(socket, 'interview:join', { token: fresh.token })).toMatchObject({ ok: false, error: { code: 'interview-ended' } });
    } finally {
      socket.disconnect();
    }
  }, 30_000);

  it('the recruiter API refuses a bad plan with a 400 that names the field', async () => {
    const response = await app.admin.fetch(`${app.origin}/api/automated-interviews`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'Engineer', language: 'auto', plannedQuestions: [], timeBudgetMinutes: 10 }),
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.code).toBe('invalid-request');
    expect(body.error.message).toMatch(/language|plannedQuestions/);
    const knobs = await app.admin.fetch(`${app.origin}/api/automated-interviews`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'Engineer', language: 'en', plannedQuestions: PLAN, timeBudgetMinutes: 10, turnTaking: { answerEndPauseMs: 9000, thinkingPauseMs: 3000 } }),
    });
    expect(knobs.status).toBe(400);
    expect((await knobs.json()).error.message).toContain('thinkingPauseMs');
    expect((await app.admin.fetch(`${app.origin}/api/automated-interviews/nope`)).status).toBe(404);
  });
});
