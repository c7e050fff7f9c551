import { describe, expect, it } from 'vitest';
import { SessionStartRequest } from '../../../protocol/index.ts';
import { applyPreparation, defaultSetupForm, dimensionId, toSessionContext } from './setup-form.ts';

describe('setup form → session context', () => {
  it('the default form gives three dimensions at weight 1 that the server schema accepts', () => {
    const result = toSessionContext({ ...defaultSetupForm(['Technical skill', 'Clarity', 'Problem solving']), title: ' Round 2 ' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.context.title).toBe('Round 2');
    expect(result.context.rubric?.dimensions.map((d) => [d.id, d.weight])).toEqual([
      ['technical_skill', 1],
      ['clarity', 1],
      ['problem_solving', 1],
    ]);
    expect(result.context.plannedQuestions).toBeUndefined();
    const request = SessionStartRequest.safeParse({ language: 'auto', sampleRate: 16_000, channels: ['candidate'], context: result.context });
    expect(request.success).toBe(true);
  });

  it('gives Chinese dimension names stable ids and keeps ids unique', () => {
    const taken = new Set<string>();
    expect(dimensionId('技术能力', 0, taken)).toBe('dim-1');
    expect(dimensionId('Clarity', 1, taken)).toBe('clarity');
    expect(dimensionId('clarity!', 2, taken)).toBe('clarity-2');
  });

  it('numbers non-empty planned questions and drops blank rows', () => {
    const form = { ...defaultSetupForm(['A', 'B', 'C']), role: 'SRE' };
    form.questions = [
      { key: 'a', text: ' First? ' },
      { key: 'b', text: '  ' },
      { key: 'c', text: 'Second?' },
    ];
    const result = toSessionContext(form);
    expect(result.ok && result.context.plannedQuestions).toEqual([
      { id: 'q1', text: 'First?' },
      { id: 'q2', text: 'Second?' },
    ]);
  });

  it('points at the rubric row with a bad weight or a missing name', () => {
    const form = { ...defaultSetupForm(['A', '', 'C']), title: 'Round 1' };
    form.rubric[0]!.weight = '0';
    form.rubric[2]!.weight = 'abc';
    const result = toSessionContext(form);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { messageKey: 'setup.error.rubricWeight', row: 0 },
      { messageKey: 'setup.error.rubricName', row: 1 },
      { messageKey: 'setup.error.rubricWeight', row: 2 },
    ]);
  });

  it('asks for a title or a role before anything else can start', () => {
    expect(toSessionContext(defaultSetupForm())).toEqual({ ok: false, issues: [{ messageKey: 'setup.error.needTitleOrRole' }] });
    expect(toSessionContext({ ...defaultSetupForm(), role: ' SRE ' }).ok).toBe(true);
  });

  it('sends default rubric names in the interface language with their English ids, the candidate and the consent', () => {
    const result = toSessionContext({ ...defaultSetupForm(), role: 'SRE', candidateName: ' 王芳 ', consentAtMs: 1_700_000_000_000 }, 'zh');
    expect(result.ok && result.context.rubric?.dimensions.map((d) => [d.id, d.name])).toEqual([
      ['technical_skill', '技术能力'],
      ['clarity', '表达清晰度'],
      ['problem_solving', '解决问题能力'],
    ]);
    expect(result.ok && result.context.candidateName).toBe('王芳');
    expect(result.ok && result.context.consent).toEqual({ given: true, atMs: 1_700_000_000_000 });
  });

  it('fills the title from the preparation only when the form has none', () => {
    const prepared = { role: 'SRE', title: 'SRE interview', jobDescription: 'JD', resume: 'CV', questions: ['Why?'] };
    expect(applyPreparation(defaultSetupForm(), prepared).title).toBe('SRE interview');
    expect(applyPreparation({ ...defaultSetupForm(), title: 'Round 2' }, prepared).title).toBe('Round 2');
  });

  it('refuses an empty rubric and an oversized resume', () => {
    const empty = { ...defaultSetupForm(['A', 'B', 'C']), role: 'SRE' };
    empty.rubric = [];
    expect(toSessionContext(empty)).toEqual({ ok: false, issues: [{ messageKey: 'setup.error.rubricEmpty' }] });
    const long = { ...defaultSetupForm(['A', 'B', 'C']), role: 'SRE', resume: 'x'.repeat(100_001) };
    expect(toSessionContext(long)).toEqual({ ok: false, issues: [{ messageKey: 'setup.error.tooLong' }] });
  });
});
