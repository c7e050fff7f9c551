import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PlannedQuestion, type AnswerScore } from '../../protocol/schemas.ts';
import { LlmError } from '../../server/llm/errors.ts';
import { writeFeedbackLetter } from '../../server/prep/feedback.ts';
import { matchResume } from '../../server/prep/match.ts';
import { parseResume } from '../../server/prep/parse-resume.ts';
import { planInterview, questionMix, toPlannedQuestions } from '../../server/prep/plan.ts';
import type { FeedbackRequest } from '../../protocol/prep.ts';
import { fakeScripts, startFakeLlmServer, type FakeLlmServer } from '../fakes/fake-llm-server.ts';
import { documentsMessage, fakeJobMatch, fakeLetter, messagesOf, prepDepsFor, prepResponder } from './prep-fake.ts';

const JD_EN = `Senior Backend Engineer
Required: Go, Kubernetes, PostgreSQL
Nice to have: Kafka`;

const RESUME_EN = `Jane Doe
Email: jane.doe@gmail.com | Phone: +1 (555) 123-4567
Senior engineer at Acme (2019-2023)
- Built Go services on Kubernetes serving 2M users
- Tuned PostgreSQL queries, p99 from 800 ms to 120 ms`;

const JD_ZH = `高级后端工程师
必备：Go、Kubernetes、PostgreSQL
加分：Kafka`;

const RESUME_ZH = `张伟
姓名：张伟 | 性别：男 | 年龄：28
电话：138xxxxxxxx  邮箱：zhangwei@example.com
2019.07-2023.06 字节跳动 后端工程师
- 负责 Go 微服务开发，部署在 Kubernetes 上
- 使用 Kafka 构建实时数据管道`;

let fake: FakeLlmServer;

beforeAll(async () => {
  fake = await startFakeLlmServer({ respond: prepResponder() });
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  fake.requests.length = 0;
  fake.setResponder(prepResponder());
});

describe('resume parsing', () => {
  it('sends the resume with the parsed_resume schema and returns the validated fields', async () => {
    const result = await parseResume(prepDepsFor(fake.baseUrl), { text: RESUME_EN });
    expect(result.resume.name).toBe('Jane Doe');
    expect(result.resume.skills).toEqual(['Go', 'Kubernetes', 'PostgreSQL']);
    expect(result.promptVersion).toBe('resume-parse@2');
    const [request] = fake.chatRequests();
    expect(request?.schemaName).toBe('parsed_resume');
    const [system, user] = messagesOf(request!);
    // Instructions and the document travel in separate messages.
    expect(system?.role).toBe('system');
    expect(system?.content).not.toContain('Tuned PostgreSQL');
    expect(user?.content).toContain('Tuned PostgreSQL queries');
  });

  it('uses the Chinese prompt for a Chinese resume', async () => {
    const result = await parseResume(prepDepsFor(fake.baseUrl), { text: RESUME_ZH });
    expect(result.language).toBe('zh');
    expect(messagesOf(fake.chatRequests()[0]!)[0]?.content).toContain('你负责为招聘人员从候选人简历中提取结构化信息');
  });
});

describe('job match', () => {
  it('scores an English resume with quotes verified against it', async () => {
    const { match } = await matchResume(prepDepsFor(fake.baseUrl), { jd: JD_EN, resume: RESUME_EN });
    expect(match.score).toBe(75);
    expect(match.skillsMatched.map((skill) => skill.skill)).toEqual(['Go', 'Kubernetes', 'PostgreSQL']);
    // The fake model calls every missing skill required; the JD lists Kafka under "Nice to have", and that wins.
    expect(match.skillsMissing).toEqual([{ skill: 'Kafka', importance: 'nice-to-have' }]);
    expect(match.unverifiedClaims).toEqual([]);
    expect(match).toMatchObject({ blind: false, language: 'en', promptVersion: 'match-job@3', model: 'Qwen/Qwen2.5-7B-Instruct' });
  });

  it('drops claims whose quote the model invented', async () => {
    fake.setResponder(() => {
      const output = fakeJobMatch(documentsMessage({ jobDescription: JD_EN, resume: RESUME_EN }));
      (output.skillsMatched as Array<{ skill: string; quote: string }>).push({ skill: 'Kafka', quote: 'Ran Kafka clusters with 1B messages a day' });
      output.redFlags = [{ flag: 'Short tenure', quote: 'left Acme after two months' }];
      return fakeScripts.json(output);
    });
    const { match } = await matchResume(prepDepsFor(fake.baseUrl), { jd: JD_EN, resume: RESUME_EN });
    expect(match.skillsMatched.map((skill) => skill.skill)).not.toContain('Kafka');
    expect(match.redFlags).toEqual([]);
    expect(match.unverifiedClaims.map((claim) => claim.kind)).toEqual(['skill', 'red-flag']);
  });

  it('in blind mode the model never sees name, gender, age or contact details (Chinese)', async () => {
    const { match, redaction } = await matchResume(prepDepsFor(fake.baseUrl), { jd: JD_ZH, resume: RESUME_ZH, blind: true });
    expect(match.blind).toBe(true);
    expect(match.language).toBe('zh');
    const sent = fake.chatRequests()[0]!.rawBody;
    for (const secret of ['张伟', '性别：男', '28', '138', 'zhangwei@example.com']) expect(sent).not.toContain(secret);
    expect(sent).toContain('负责 Go 微服务开发');
    expect(redaction?.removed).toMatchObject({ name: 2, gender: 1, age: 1, phone: 1, email: 1 });
    // Quotes are checked against the redacted text the model saw, so verified claims survive.
    expect(match.skillsMatched.map((skill) => skill.skill)).toEqual(['Go', 'Kubernetes', 'Kafka']);
  });

  it('in blind mode the model never sees name or contact details (English)', async () => {
    await matchResume(prepDepsFor(fake.baseUrl), { jd: JD_EN, resume: RESUME_EN, blind: true });
    const sent = fake.chatRequests()[0]!.rawBody;
    for (const secret of ['Jane', 'Doe', 'gmail', '555']) expect(sent).not.toContain(secret);
  });

  it('repairs once after an invalid reply, then fails with llm-invalid-output', async () => {
    const valid = fakeJobMatch(documentsMessage({ jobDescription: JD_EN, resume: RESUME_EN }));
    fake.enqueue(fakeScripts.json({ ...valid, score: 140 }), fakeScripts.json(valid));
    const repaired = await matchResume(prepDepsFor(fake.baseUrl), { jd: JD_EN, resume: RESUME_EN });
    expect(repaired.repaired).toBe(true);
    expect(fake.chatRequests()).toHaveLength(2);

    fake.enqueue(fakeScripts.brokenJson(valid), fakeScripts.brokenJson(valid));
    const error = await matchResume(prepDepsFor(fake.baseUrl), { jd: JD_EN, resume: RESUME_EN }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).code).toBe('llm-invalid-output');
  });
});

describe('interview plan', () => {
  it('numbers the questions, ties them to quotes and fits the live screen PlannedQuestion', async () => {
    const { plan } = await planInterview(prepDepsFor(fake.baseUrl), { jd: JD_EN, resume: RESUME_EN, count: 6 });
    expect(plan.questions.map((question) => question.id)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5', 'q6']);
    expect(new Set(plan.questions.map((question) => question.kind))).toEqual(new Set(['technical', 'behavioural', 'open']));
    expect(plan.questions.every((question) => question.quoteVerified)).toBe(true);
    expect(plan.questions.filter((question) => question.basis === 'resume').length).toBeGreaterThan(0);
    for (const question of toPlannedQuestions(plan)) expect(PlannedQuestion.parse(question)).toEqual(question);
    const system = messagesOf(fake.chatRequests()[0]!)[0]?.content ?? '';
    expect(system).toContain('Write exactly 6 questions: 3 technical, 2 behavioural and 1 open.');
  });

  it('writes Chinese questions for a Chinese resume and warns when the model falls short', async () => {
    fake.setResponder(() =>
      fakeScripts.json({
        questions: [
          { text: '请介绍你在 Kafka 上的实践。', kind: 'technical', competency: '消息队列', basis: 'resume', quote: '使用 Kafka 构建实时数据管道', rationale: '核实经验。' },
          { text: '讲一次你推动技术决策的经历。', kind: 'behavioural', competency: '影响力', basis: 'jd', quote: '这句话不在职位描述里', rationale: '考察影响力。' },
        ],
      }),
    );
    const { plan } = await planInterview(prepDepsFor(fake.baseUrl), { jd: JD_ZH, resume: RESUME_ZH, count: 4 });
    expect(plan.language).toBe('zh');
    expect(plan.questions).toHaveLength(2);
    expect(plan.questions[0]?.quoteVerified).toBe(true);
    expect(plan.questions[1]?.quoteVerified).toBe(false);
    expect(plan.warnings).toEqual([
      'the model wrote 2 of the 4 questions asked for',
      'no open question in the plan',
      '1 question(s) quote neither the JD nor the resume verbatim',
    ]);
    expect(messagesOf(fake.chatRequests()[0]!)[0]?.content).toContain('恰好写 4 个问题：技术题 2 个，行为题 1 个，开放题 1 个');
  });

  it('mixes kinds in proportion', () => {
    expect(questionMix(8)).toEqual({ technical: 4, behavioural: 2, open: 2 });
    expect(questionMix(3)).toEqual({ technical: 1, behavioural: 1, open: 1 });
    expect(questionMix(1)).toEqual({ technical: 1, behavioural: 0, open: 0 });
  });
});

const score = (dimensionScore: number, label: AnswerScore['label'] = 'answer'): AnswerScore => ({
  label,
  dimensions:
    label === 'answer'
      ? [
          { id: 'depth', name: 'Technical depth', score: dimensionScore, reason: `depth ${dimensionScore}`, evidence: [] },
          { id: 'clarity', name: 'Clarity', score: 7, reason: 'clear', evidence: [] },
        ]
      : [],
  overall: label === 'answer' ? dimensionScore : null,
  remark: label === 'answer' ? 'Solid answer.' : '',
  model: 'm',
  promptVersion: 'answer-score@1',
  rubricVersion: 'default@1',
});

describe('feedback letter', () => {
  const request: FeedbackRequest = {
    language: 'en',
    candidateName: 'Jane Doe',
    role: 'Senior Backend Engineer',
    decision: 'advance',
    answers: [{ question: 'Design a rate limiter', score: score(9) }, { score: score(5) }, { score: score(1, 'non-answer') }],
  };

  it('writes the letter from averaged scores without sending raw numbers as the only signal', async () => {
    const { letter } = await writeFeedbackLetter(prepDepsFor(fake.baseUrl), request);
    expect(letter.language).toBe('en');
    expect(letter.text).toContain('Dear Jane,');
    expect(letter.text).toContain('What went well:\n- Clear system design reasoning');
    const user = messagesOf(fake.chatRequests()[0]!)[1]?.content ?? '';
    expect(user).toContain('2 scored answers; 1 unanswered or off-topic.');
    expect(user).toContain('- Technical depth: good (7/10, 2) — depth 5 / depth 9');
  });

  it('writes a Chinese letter for a Chinese candidate, repairing a reply in the wrong language', async () => {
    fake.enqueue(fakeScripts.json(fakeLetter(false)));
    const { letter, repaired } = await writeFeedbackLetter(prepDepsFor(fake.baseUrl), { ...request, language: 'zh', candidateName: '张伟' });
    expect(repaired).toBe(true);
    expect(letter.language).toBe('zh');
    expect(letter.text).toContain('张伟您好：');
    expect(letter.text).toContain('您的优势：');
    const repairMessage = messagesOf(fake.chatRequests()[1]!).at(-1)?.content ?? '';
    expect(repairMessage).toContain('the letter must be written in Chinese');
  });
});

describe('LLM failures', () => {
  it('reports an unreachable server as a retryable llm-unreachable error', async () => {
    const down = await startFakeLlmServer();
    const baseUrl = down.baseUrl;
    await down.close();
    const error = await matchResume(prepDepsFor(baseUrl), { jd: JD_EN, resume: RESUME_EN }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).code).toBe('llm-unreachable');
    expect((error as LlmError).retryable).toBe(true);
  });

  it('stops a hanging call when the signal aborts', async () => {
    fake.enqueue(fakeScripts.hang());
    const controller = new AbortController();
    const pending = matchResume(prepDepsFor(fake.baseUrl), { jd: JD_EN, resume: RESUME_EN, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((caught: unknown) => caught);
    expect((error as LlmError).code).toBe('analysis-cancelled');
    await fake.waitForIdle();
  });
});
