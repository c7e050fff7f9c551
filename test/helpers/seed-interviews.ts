import type { AnswerScore } from '../../protocol/schemas.ts';
import type { InterviewRepository } from '../../server/store/repository.ts';

/** A score of one answer with one verified-looking dimension (what the store keeps; nothing checks the quote here). */
export function seedScore(overall: number, quote: string): AnswerScore {
  return {
    label: 'answer',
    dimensions: [
      { id: 'depth', name: 'Technical depth', score: Math.round(overall), reason: 'explains trade-offs', evidence: [{ quote, startMs: 0, endMs: 500 }] },
      { id: 'clarity', name: 'Clarity', score: Math.max(1, Math.round(overall) - 1), reason: 'clear', evidence: [{ quote, startMs: 0, endMs: 500 }] },
    ],
    overall,
    remark: 'seeded',
    model: 'seed-model',
    promptVersion: 'score-v1',
    rubricVersion: 'default-v1',
  };
}

const ROLES = ['Backend engineer', 'Frontend engineer', 'Data scientist', '产品经理', 'Site reliability engineer'];
const FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis', '王芳', '李雷'];
const TOPICS = ['sharding', 'caching', 'consensus', 'indexes', 'queues', 'rendering', 'migrations', 'observability', '分布式', '性能'];

/** What `seedInterviews` stored, for assertions. */
export interface SeededInterview {
  id: string;
  role: string;
  candidateName: string;
  createdAtMs: number;
  topic: string;
  /** 'done': every answer scored; 'scoring': the last answer has no score yet; 'failed': stored status failed. */
  kind: 'done' | 'scoring' | 'failed';
}

/**
 * Stores `count` ended interviews, one an hour back from `startMs` (newest last), with `answers` question/answer pairs
 * each, a score on every answer (every 7th interview leaves its last answer unscored, every 11th is a failed upload).
 * `setClock` moves the repository's clock, so creation times are spread.
 */
export function seedInterviews(
  repository: InterviewRepository,
  options: { count: number; answers?: number; startMs: number; setClock: (ms: number) => void },
): SeededInterview[] {
  const seeded: SeededInterview[] = [];
  const answers = options.answers ?? 4;
  for (let n = 0; n < options.count; n++) {
    const createdAtMs = options.startMs + n * 3_600_000;
    options.setClock(createdAtMs);
    const role = ROLES[n % ROLES.length] ?? 'Engineer';
    const candidateName = `${FIRST[n % FIRST.length] ?? 'Sam'} Candidate${n}`;
    const topic = TOPICS[n % TOPICS.length] ?? 'systems';
    const kind: SeededInterview['kind'] = n % 11 === 10 ? 'failed' : n % 7 === 6 ? 'scoring' : 'done';
    const { id } = repository.createInterview({ role, candidateName, title: `${role} screen`, language: 'en', mode: n % 3 === 0 ? 'recording' : 'copilot', status: 'live' });
    for (let a = 0; a < answers; a++) {
      const start = a * 60_000;
      repository.saveTurn(id, { turnId: `q${a}`, channel: 'interviewer', text: `Question ${a + 1}: tell me about ${topic} in your last project.`, startMs: start, endMs: start + 5_000 });
      const text = `In my last project I worked on ${topic} for the ${role.toLowerCase()} team; answer number ${a + 1} of candidate ${n}.`;
      repository.saveTurn(id, { turnId: `a${a}`, channel: 'candidate', text, startMs: start + 6_000, endMs: start + 50_000 });
      const unscored = kind === 'scoring' && a === answers - 1;
      if (!unscored) repository.saveScore(id, `a${a}`, seedScore(5 + ((n + a) % 5), `worked on ${topic}`));
    }
    repository.updateInterviewStatus(id, kind === 'failed' ? 'failed' : 'stopped', kind === 'failed' ? { message: 'seeded failure' } : {});
    seeded.push({ id, role, candidateName, createdAtMs, topic, kind });
  }
  return seeded;
}
