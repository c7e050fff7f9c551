import { describe, expect, it } from 'vitest';
import { translate } from '../i18n/dictionary.ts';
import type { Translate } from '../i18n/i18n.tsx';
import { buildExport, buildMarkdown, exportFileStem, formatClock, meanOverall } from './export.ts';
import { initialInterviewState, type InterviewState } from './interview-reducer.ts';

const en: Translate = (key, params) => translate('en', key, params);
const zh: Translate = (key, params) => translate('zh', key, params);

function captured(): InterviewState {
  return {
    ...initialInterviewState(),
    phase: 'review',
    sessionId: 's1',
    startedAt: '2026-11-23T10:00:00.000Z',
    context: { title: 'Backend / round 2', role: 'SRE', plannedQuestions: [{ id: 'q1', text: 'Describe a queue you built' }] },
    turns: {
      a: { turnId: 'a', channel: 'candidate', text: 'Describe a queue you built', startMs: 1000, endMs: 3000, isFinal: true, arrival: 0 },
      b: { turnId: 'b', channel: 'candidate', text: 'I built a | pipe queue in Go.', startMs: 65_000, endMs: 70_000, isFinal: true, arrival: 1 },
    },
    roleOverrides: { a: 'interviewer' },
    scores: {
      b: {
        label: 'answer',
        overall: 6.5,
        remark: 'Short.',
        dimensions: [{ id: 'clarity', name: 'Clarity', score: 6, reason: 'brief', evidence: [{ quote: 'queue in Go', startMs: 66_000, endMs: 67_000 }] }],
        model: 'qwen',
        promptVersion: 'p3',
        rubricVersion: 'custom',
      },
    },
    followUps: { b: { streamText: '', suggestions: [{ question: 'Why Go?', buildsOn: 'queue in Go', probes: 'language choice' }] } },
  };
}

describe('exports', () => {
  it('formats clock times', () => {
    expect(formatClock(0)).toBe('00:00');
    expect(formatClock(65_400)).toBe('01:05');
    expect(formatClock(3_725_000)).toBe('1:02:05');
  });

  it('JSON export keeps every turn in order with the corrected speaker, its score and follow-ups', () => {
    const data = buildExport(captured(), new Date('2026-11-23T11:00:00.000Z'));
    expect(data.format).toBe('viva-interview-export/1');
    expect(data.turns.map((t) => [t.turnId, t.speaker, t.originalChannel])).toEqual([
      ['a', 'interviewer', 'candidate'],
      ['b', 'candidate', undefined],
    ]);
    expect(data.turns[1]?.score?.overall).toBe(6.5);
    expect(data.turns[1]?.followUps?.[0]?.question).toBe('Why Go?');
    expect(data.plannedQuestions).toEqual([{ id: 'q1', text: 'Describe a queue you built', covered: true, manual: false }]);
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });

  it('Markdown report has the transcript, a score table with escaped pipes, and the suggestions', () => {
    const md = buildMarkdown(captured(), en, new Date('2026-11-23T11:00:00.000Z'));
    expect(md).toContain('# Backend / round 2');
    expect(md).toContain('**[00:01] Interviewer:** Describe a queue you built');
    expect(md).toContain('**[01:05] Candidate:** I built a | pipe queue in Go.');
    expect(md).toContain('| Clarity | 6/10 | brief |');
    expect(md).toContain('> Overall 6.5/10 — Short.');
    expect(md).toContain('- Why Go?');
    expect(md).toContain('Builds on: “queue in Go”');
  });

  it('Markdown follows the interface language', () => {
    const md = buildMarkdown(captured(), zh, new Date());
    expect(md).toContain('**[00:01] 面试官:**');
    expect(md).toContain('总分 6.5/10');
  });

  it('mean overall skips unscored turns; file names are safe', () => {
    expect(meanOverall(captured())).toBe(6.5);
    expect(meanOverall(initialInterviewState())).toBeNull();
    expect(exportFileStem(captured())).toBe('viva-Backend-round-2-2026-11-23-10-00');
  });
});
