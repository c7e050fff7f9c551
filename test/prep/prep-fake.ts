/**
 * Test wiring for the preparation features: the real LLM client and prompt library against the fake vLLM server,
 * plus a responder that answers each prep schema plausibly from the documents in the request.
 */
import { createLlmClient } from '../../server/llm/client.ts';
import { createPromptLibrary } from '../../server/prompts.ts';
import type { PrepDeps } from '../../server/prep/deps.ts';
import { createPrepLlm } from '../../server/prep/llm.ts';
import { createPrepPrompts } from '../../server/prep/prompts.ts';
import { untrustedJson } from '../../server/untrusted-json.ts';
import { firstJsonObject } from '../fakes/fake-analysis-answers.ts';
import { FAKE_DEFAULT_MODEL, fakeScripts, type FakeLlmScript, type FakeStreamTiming, type RecordedLlmRequest } from '../fakes/fake-llm-server.ts';

/** PrepDeps wired to a fake server at `baseUrl` through the real openai SDK. */
export function prepDepsFor(baseUrl: string, options: { maxRetries?: number; timeoutMs?: number } = {}): PrepDeps {
  const client = createLlmClient({
    baseUrl,
    model: FAKE_DEFAULT_MODEL,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxRetries: options.maxRetries ?? 0,
    structuredOutput: 'json_schema',
    retryBaseDelayMs: 0,
  });
  const library = createPromptLibrary();
  return { llm: createPrepLlm(client, { prompts: library }), prompts: createPrepPrompts(library) };
}

/** The messages of a recorded chat request. */
export function messagesOf(request: RecordedLlmRequest): Array<{ role: string; content: string }> {
  return (request.body?.messages ?? []) as Array<{ role: string; content: string }>;
}

/** The documents of a prep request: the JSON object in its user message (see server/prep/prompts.ts). */
export function documentsOf(user: string): { jobDescription?: string; resume?: string } {
  const json = firstJsonObject(user);
  return json === undefined ? {} : (JSON.parse(json) as { jobDescription?: string; resume?: string });
}

/** The user message of a prep request with these documents, as the English prompt sends it. */
export function documentsMessage(documents: { jobDescription?: string; resume?: string }): string {
  return untrustedJson(documents);
}

/** Skills the fake recognises in resumes and job descriptions. */
export const KNOWN_SKILLS = ['Go', 'Kubernetes', 'PostgreSQL', 'Kafka', 'Python', 'React', 'TypeScript', 'Redis', 'gRPC', 'Terraform'];

function wordIn(text: string, word: string): boolean {
  return new RegExp(`(^|[^A-Za-z])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z]|$)`).test(text);
}

/** The first line of `text` that mentions `skill`, as a verbatim quote. */
function lineWith(text: string, skill: string): string {
  return text.split('\n').find((line) => wordIn(line, skill))?.trim() ?? skill;
}

/** A job match computed from the documents: matched skills quote the resume line that names them. */
export function fakeJobMatch(user: string): Record<string, unknown> {
  const zh = user.startsWith('职位描述');
  const { jobDescription: jd = '', resume = '' } = documentsOf(user);
  const wanted = KNOWN_SKILLS.filter((skill) => wordIn(jd, skill));
  const matched = wanted.filter((skill) => wordIn(resume, skill));
  const missing = wanted.filter((skill) => !wordIn(resume, skill));
  const firstLine = resume.split('\n').find((line) => line.trim())?.trim() ?? '';
  return {
    score: wanted.length === 0 ? 50 : Math.round((matched.length / wanted.length) * 100),
    skillsMatched: matched.map((skill) => ({ skill, quote: lineWith(resume, skill) })),
    skillsMissing: missing.map((skill) => ({ skill, importance: 'required' })),
    experienceEvaluation: { assessment: zh ? '经验与职位相关。' : 'Relevant experience.', quote: firstLine },
    redFlags: [],
    summary: zh ? `匹配 ${matched.length} 项技能。` : `Matches ${matched.length} of ${wanted.length} skills.`,
  };
}

/** A plan quoting JD lines for technical questions and resume lines for the others. */
export function fakePlan(user: string, count: number): Record<string, unknown> {
  const zh = user.startsWith('职位描述');
  const documents = documentsOf(user);
  const jd = (documents.jobDescription ?? '').split('\n').filter((line) => line.trim());
  const resume = (documents.resume ?? '').split('\n').filter((line) => line.trim());
  const kinds = ['technical', 'technical', 'behavioural', 'open'] as const;
  return {
    questions: Array.from({ length: count }, (_, index) => {
      const kind = kinds[index % kinds.length] ?? 'technical';
      const fromJd = kind === 'technical';
      const source = fromJd ? jd : resume;
      return {
        text: zh ? `问题 ${index + 1}：请谈谈${source[index % source.length] ?? ''}` : `Question ${index + 1}: tell me about ${source[index % source.length] ?? ''}`,
        kind,
        competency: zh ? '系统设计' : 'System design',
        basis: fromJd ? 'jd' : 'resume',
        quote: source[index % source.length]?.trim() ?? '',
        rationale: zh ? '考察深度。' : 'Checks depth.',
      };
    }),
  };
}

/** A letter in the language the system message asks for. */
export function fakeLetter(zh: boolean): Record<string, unknown> {
  return zh
    ? {
        subject: '面试反馈',
        greeting: '张伟您好：',
        paragraphs: ['感谢您参加我们的面试。', '您在系统设计方面表现突出。'],
        strengths: ['系统设计思路清晰'],
        improvements: ['可以多用具体数据说明成果'],
        closing: '招聘团队',
      }
    : {
        subject: 'Your interview feedback',
        greeting: 'Dear Jane,',
        paragraphs: ['Thank you for interviewing with us.', 'Your system design answers stood out.'],
        strengths: ['Clear system design reasoning'],
        improvements: ['Back results with concrete numbers'],
        closing: 'The hiring team',
      };
}

/** Answers every prep request from its content: the default responder of the prep tests. */
export function prepResponder(timing: FakeStreamTiming = {}): (request: RecordedLlmRequest) => FakeLlmScript {
  return (request) => {
    const messages = messagesOf(request);
    const system = messages.find((message) => message.role === 'system')?.content ?? '';
    const user = messages.filter((message) => message.role === 'user').at(-1)?.content ?? '';
    const zh = /[\u4e00-\u9fff]{4}/.test(system);
    switch (request.schemaName) {
      case 'job_match':
        return fakeScripts.json(fakeJobMatch(user), { chunkSize: 64, ...timing });
      case 'interview_plan': {
        const count = Number(/(?:exactly|恰好写) (\d+)/.exec(system)?.[1] ?? '4');
        return fakeScripts.json(fakePlan(user, count), { chunkSize: 64, ...timing });
      }
      case 'feedback_letter':
        return fakeScripts.json(fakeLetter(zh), { chunkSize: 64, ...timing });
      case 'parsed_resume': {
        const resume = documentsOf(user).resume ?? '';
        return fakeScripts.json(
          {
            name: resume.split('\n')[0]?.trim() ?? null,
            contacts: { emails: resume.match(/\S+@\S+/g) ?? [], phones: [], links: [], location: null },
            yearsOfExperience: 5,
            education: [],
            skills: KNOWN_SKILLS.filter((skill) => wordIn(resume, skill)),
            projects: [],
            experience: [],
            languages: [],
          },
          { chunkSize: 64, ...timing },
        );
      }
      default:
        return fakeScripts.error(500, `prep fake: unexpected schema ${request.schemaName ?? '(none)'}`);
    }
  };
}
