import { describe, expect, it } from 'vitest';
import type { StoredTurn } from '../../protocol/interviews.ts';
import type { Channel, SessionContext } from '../../protocol/schemas.ts';
import { SessionBus, type SessionEvent, type SessionEventOf } from '../session/events.ts';
import type { Session } from '../session/session.ts';
import { createCopilotAnswers } from './copilot-answers.ts';

/** A session as the answers subscriber sees it: id, context, channels and the bus (the pipeline is not involved). */
function answersSession(channels: Channel[], context: SessionContext = {}, stored: StoredTurn[] = []) {
  const events = new SessionBus((name, type, error) => {
    throw new Error(`${name} failed on ${type}: ${String(error)}`);
  });
  const session = { id: 's1', context, channelNames: channels, events } as unknown as Session;
  const subscriber = createCopilotAnswers({ storedTurns: () => stored })(session);
  if (!subscriber) throw new Error('no answers subscriber');
  events.subscribe(subscriber);
  const seen: SessionEvent[] = [];
  events.subscribe({ name: 'recorder', handle: (event) => seen.push(event) });
  let turn = 0;
  const say = (channel: Channel, text: string, startMs: number, endMs: number, options: { speechStart?: boolean } = {}) => {
    const turnId = `t${++turn}`;
    if (options.speechStart !== false) events.publish({ type: 'speech-start', sessionId: 's1', channel, atMs: startMs });
    events.publish({ type: 'speech-end', sessionId: 's1', channel, atMs: endMs });
    events.publish({ type: 'transcript-final', sessionId: 's1', turnId, channel, text, startMs, endMs, audio: new Float32Array(0), finalLatencyMs: 0 });
    return turnId;
  };
  const of = <T extends SessionEvent['type']>(type: T) => seen.filter((event): event is SessionEventOf<T> => event.type === type);
  const end = () => events.publish({ type: 'session-end', result: { sessionId: 's1', stats: {} } });
  return { events, say, of, end, subscriber };
}

const PLAN: SessionContext = {
  plannedQuestions: [
    { id: 'q1', text: 'Tell me about a system you built.' },
    { id: 'q2', text: 'How did you test it?' },
  ],
};

describe('copilot answers: one answer is one answer', () => {
  it('two channels: the candidate turns between two interviewer turns are ONE answer, final when the interviewer speaks again', () => {
    const s = answersSession(['interviewer', 'candidate'], PLAN);
    s.say('interviewer', 'Tell me about a system you built.', 0, 2000);
    const first = s.say('candidate', 'I built a payment queue on Kafka.', 2500, 5000);
    const second = s.say('candidate', 'It went from one in ten thousand to zero.', 6500, 9000);
    expect(s.of('answer-final')).toHaveLength(0);
    expect(s.of('answer-update').map((event) => event.turnIds)).toEqual([[first], [first, second]]);
    s.events.publish({ type: 'speech-start', sessionId: 's1', channel: 'interviewer', atMs: 10_000 });
    const finals = s.of('answer-final');
    expect(finals).toHaveLength(1);
    expect(finals[0]).toMatchObject({
      turnId: first,
      turnIds: [first, second],
      text: 'I built a payment queue on Kafka. It went from one in ten thousand to zero.',
      question: 'Tell me about a system you built.',
      startMs: 2500,
      endMs: 9000,
    });
    s.end();
    expect(s.of('answer-final')).toHaveLength(1);
  });

  it('waits for a candidate turn that began before the interviewer did, and gives a later one to the next answer', () => {
    const s = answersSession(['interviewer', 'candidate']);
    s.say('interviewer', 'Why Kafka?', 0, 1000);
    const first = s.say('candidate', 'Ordering per key.', 1500, 3000);
    s.events.publish({ type: 'speech-start', sessionId: 's1', channel: 'candidate', atMs: 3500 });
    // The interviewer starts while the candidate's second turn is still being decoded.
    s.events.publish({ type: 'speech-start', sessionId: 's1', channel: 'interviewer', atMs: 5000 });
    expect(s.of('answer-final')).toHaveLength(0);
    const late = s.say('candidate', 'And replay.', 3500, 4800, { speechStart: false });
    expect(s.of('answer-final').map((event) => event.turnIds)).toEqual([[first, late]]);
    s.say('interviewer', 'And then?', 5000, 6000, { speechStart: false });
    const next = s.say('candidate', 'We shipped it.', 6500, 8000);
    s.end();
    expect(s.of('answer-final').map((event) => [event.turnIds, event.question])).toEqual([
      [[first, late], 'Why Kafka?'],
      [[next], 'And then?'],
    ]);
  });

  it('after a restart goes on with the stored answers: the one open at the crash grows and is final once, closed ones stay as they were', () => {
    const stored = (turnId: string, channel: Channel, text: string, startMs: number): StoredTurn => ({
      turnId, channel, text, startMs, endMs: startMs + 2000, language: 'en', segments: [], hasAudio: true, createdAtMs: 0,
    });
    const s = answersSession(['interviewer', 'candidate'], {}, [
      stored('q1', 'interviewer', 'Why Kafka?', 0),
      stored('a1', 'candidate', 'Ordering per key.', 3000),
      stored('q2', 'interviewer', 'And the failures?', 6000),
      stored('a2', 'candidate', 'We replayed them.', 9000),
    ]);
    s.events.publish({ type: 'session-start', origin: 'resume' });
    const more = s.say('candidate', 'From the dead letter queue.', 12_000, 14_000);
    s.end();
    expect(s.of('answer-final').map((event) => [event.turnIds, event.question])).toEqual([[['a2', more], 'And the failures?']]);
  });

  it('an answer with no interviewer turn before it answers the FIRST planned question (not the second)', () => {
    const s = answersSession(['interviewer', 'candidate'], PLAN);
    s.say('candidate', 'I built a payment queue on Kafka.', 0, 3000);
    s.end();
    expect(s.of('answer-final').map((event) => event.question)).toEqual(['Tell me about a system you built.']);
  });
});

describe('copilot answers: roles from the server (one channel)', () => {
  it('guesses who asked and who answered, publishes the roles with a confidence, and groups the answers by them', () => {
    const s = answersSession(['candidate'], PLAN);
    const q1 = s.say('candidate', 'Tell me about a system you built.', 0, 2000);
    const a1 = s.say('candidate', 'I built a payment queue on Kafka for our team.', 2500, 5000);
    const a2 = s.say('candidate', 'We moved the card payments to it in the spring.', 6000, 9000);
    const q2 = s.say('candidate', 'How did you test it?', 10_000, 11_000);
    const a3 = s.say('candidate', 'With load tests every night.', 11_500, 13_000);
    s.end();
    const roles = Object.fromEntries(s.of('turn-role').map((event) => [event.turnId, event.channel]));
    expect(roles).toEqual({ [q1]: 'interviewer', [a1]: 'candidate', [a2]: 'candidate', [q2]: 'interviewer', [a3]: 'candidate' });
    for (const event of s.of('turn-role')) expect(event).toMatchObject({ source: 'auto', confidence: expect.any(Number) });
    expect(s.of('answer-final').map((event) => [event.turnIds, event.question])).toEqual([
      [[a1, a2], 'Tell me about a system you built.'],
      [[a3], 'How did you test it?'],
    ]);
  });

  it('relabel-turn re-attributes a turn, regroups, and publishes again only the answers that changed', () => {
    const s = answersSession(['candidate']);
    const q1 = s.say('candidate', 'Tell me about a system you built?', 0, 2000);
    const a1 = s.say('candidate', 'I built a payment queue on Kafka for our team.', 2500, 5000);
    // Misheard as the interviewer's (a question mark), though the candidate said it.
    const a2 = s.say('candidate', 'Why Kafka? Ordering per key mattered most.', 6000, 9000);
    const q2 = s.say('candidate', 'How did you test it?', 10_000, 11_000);
    const a3 = s.say('candidate', 'With load tests every night.', 11_500, 13_000);
    s.end();
    const before = s.of('answer-final').length;
    const reply = s.events.command({ type: 'relabel-turn', turnId: a2, channel: 'candidate' });
    const after = s.of('answer-final').slice(before);
    expect(s.of('turn-role').find((event) => event.turnId === a2)).toMatchObject({ channel: 'interviewer', source: 'auto' });
    // The first answer grew by a2: published again (scored again); the last one did not change.
    expect(after.map((event) => event.turnIds)).toEqual([[a1, a2]]);
    expect(reply).toEqual({ ok: true, data: { turnId: a2, rescoring: after.map((event) => event.turnId) } });
    expect(s.of('turn-role').at(-1)).toMatchObject({ turnId: a2, channel: 'candidate', source: 'user', confidence: null });

    // The user says the first "answer" was the interviewer's: the answer now starts at a2.
    s.events.command({ type: 'relabel-turn', turnId: a1, channel: 'interviewer' });
    expect(s.of('answer-final').at(-1)).toMatchObject({ turnId: a2, turnIds: [a2], question: `${'Tell me about a system you built?'} I built a payment queue on Kafka for our team.` });
    expect(s.events.command({ type: 'relabel-turn', turnId: 'nope', channel: 'candidate' }).ok).toBe(false);
    expect([q1, q2, a3]).toHaveLength(3);
  });
});
