import { describe, expect, it } from 'vitest';
import type { PlannedQuestion } from '../../../protocol/index.ts';
import { coveredQuestions, questionOverlap } from './question-coverage.ts';
import type { Turn } from './interview-reducer.ts';

const turn = (turnId: string, channel: Turn['channel'], text: string, startMs = 0): Turn => ({
  turnId,
  channel,
  text,
  startMs,
  endMs: startMs + 1000,
  isFinal: true,
  arrival: 0,
});

const questions: PlannedQuestion[] = [
  { id: 'q1', text: 'Walk me through a system you designed that had to handle high write throughput.' },
  { id: 'q2', text: 'Tell me about a time you disagreed with a teammate.' },
  { id: 'q3', text: '请介绍一下你做过的分布式缓存项目。' },
];

const base = { roleOverrides: {}, manualCoverage: {}, captureMode: 'mic-and-tab' as const };

describe('planned question coverage', () => {
  it('ticks a question when an interviewer turn paraphrases it', () => {
    const turns = { a: turn('a', 'interviewer', 'So, can you walk me through a system you designed with really high write throughput?') };
    const result = coveredQuestions(questions, { ...base, turns });
    expect(result.q1).toEqual({ covered: true, manual: false, turnId: 'a' });
    expect(result.q2?.covered).toBe(false);
  });

  it('does not tick it when only the candidate says the words (two-channel mode)', () => {
    const turns = { a: turn('a', 'candidate', 'I designed a system for high write throughput.') };
    expect(coveredQuestions(questions, { ...base, turns }).q1?.covered).toBe(false);
  });

  it('does not tick on one shared word', () => {
    const turns = { a: turn('a', 'interviewer', 'What about a teammate you liked?') };
    expect(coveredQuestions(questions, { ...base, turns }).q2?.covered).toBe(false);
  });

  it('matches Chinese questions by character pairs', () => {
    expect(questionOverlap(questions[2]!.text, '能不能讲讲你做过的分布式缓存项目？')).toBeGreaterThanOrEqual(0.5);
    const turns = { a: turn('a', 'interviewer', '能不能讲讲你做过的分布式缓存项目？') };
    expect(coveredQuestions(questions, { ...base, turns }).q3?.covered).toBe(true);
  });

  it('in single-mic mode any turn counts, and a flipped turn counts in two-channel mode', () => {
    const turns = { a: turn('a', 'candidate', 'Tell me about a time you disagreed with a teammate') };
    expect(coveredQuestions(questions, { ...base, captureMode: 'single-mic', turns }).q2?.covered).toBe(true);
    expect(coveredQuestions(questions, { ...base, roleOverrides: { a: 'interviewer' }, turns }).q2?.covered).toBe(true);
  });

  it('a manual tick or untick wins over the heuristic', () => {
    const turns = { a: turn('a', 'interviewer', 'Tell me about a time you disagreed with a teammate') };
    const result = coveredQuestions(questions, { ...base, manualCoverage: { q2: false, q3: true }, turns });
    expect(result.q2).toEqual({ covered: false, manual: true });
    expect(result.q3).toEqual({ covered: true, manual: true });
  });
});
