import type { InterviewListQuery, InterviewPage } from '../../protocol/interviews.ts';
import { buildReport } from '../reports/index.ts';
import type { InterviewRepository } from '../store/repository.ts';

/**
 * One page of `GET /api/interviews`: the repository's filtered list, each row with the report's weighted overall and
 * recommendation (built from the row's detail, so the list and the report never disagree; only the page's rows are
 * read), and every stored role for the role filter.
 */
export function interviewPage(repository: InterviewRepository, query: Partial<InterviewListQuery>, visibleTo?: string): InterviewPage {
  const list = repository.listInterviews({ ...query, visibleTo });
  const items = list.items.map((item) => {
    const detail = repository.getInterviewDetail(item.id);
    const summary = detail ? buildReport(detail, { language: 'en', generatedAtMs: 0 }).summary : null;
    return { ...item, overall: summary?.weightedOverall ?? null, recommendation: summary?.recommendation ?? 'insufficient-evidence' };
  });
  return { ...list, items, roles: repository.listRoles(visibleTo) };
}
