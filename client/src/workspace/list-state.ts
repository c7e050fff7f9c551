import type { InterviewListItem, InterviewPage, InterviewState } from '../../../protocol/interviews.ts';
import type { Problem } from '../api/replies.ts';
import type { ListQuery } from './workspace-api.ts';

/** Rows a page shows. */
export const PAGE_SIZE = 20;

/** Filters as the list's inputs hold them (dates as `yyyy-mm-dd` from `<input type="date">`, '' when unset). */
export interface ListFilters {
  q: string;
  role: string;
  state: InterviewState | '';
  fromDate: string;
  toDate: string;
}

/** The list screen's state: filters, page, and the last reply or failure. */
export interface ListState {
  filters: ListFilters;
  offset: number;
  status: 'loading' | 'ready' | 'error';
  page: InterviewPage | null;
  error: Problem | null;
}

/** Every change to the list screen. */
export type ListAction =
  | { type: 'filters/set'; filters: Partial<ListFilters> }
  | { type: 'filters/clear' }
  | { type: 'page/next' }
  | { type: 'page/previous' }
  | { type: 'load/started' }
  | { type: 'load/done'; page: InterviewPage }
  | { type: 'load/failed'; error: Problem };

/** No filters, first page. */
export function initialListState(): ListState {
  return { filters: { q: '', role: '', state: '', fromDate: '', toDate: '' }, offset: 0, status: 'loading', page: null, error: null };
}

/** The list screen's reducer: a filter change goes back to the first page; a reply keeps the filters it answered. */
export function listReducer(state: ListState, action: ListAction): ListState {
  switch (action.type) {
    case 'filters/set':
      return { ...state, filters: { ...state.filters, ...action.filters }, offset: 0 };
    case 'filters/clear':
      return { ...state, filters: initialListState().filters, offset: 0 };
    case 'page/next': {
      const total = state.page?.total ?? 0;
      return state.offset + PAGE_SIZE < total ? { ...state, offset: state.offset + PAGE_SIZE } : state;
    }
    case 'page/previous':
      return state.offset > 0 ? { ...state, offset: Math.max(0, state.offset - PAGE_SIZE) } : state;
    case 'load/started':
      return { ...state, status: 'loading', error: null };
    case 'load/done':
      return { ...state, status: 'ready', page: action.page, error: null };
    case 'load/failed':
      return { ...state, status: 'error', error: action.error };
  }
}

/** Local midnight of a `yyyy-mm-dd` date in ms, or undefined when empty or unreadable. */
export function localDayStartMs(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const ms = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** The API query of a list state: the "to" day is included (its end is the next local midnight). */
export function toListQuery(state: Pick<ListState, 'filters' | 'offset'>): ListQuery {
  const { q, role, state: listState, fromDate, toDate } = state.filters;
  const toStart = localDayStartMs(toDate);
  return {
    limit: PAGE_SIZE,
    offset: state.offset,
    ...(q.trim() ? { q: q.trim() } : {}),
    ...(role ? { role } : {}),
    ...(listState ? { state: listState } : {}),
    ...(localDayStartMs(fromDate) !== undefined ? { from: localDayStartMs(fromDate) } : {}),
    ...(toStart !== undefined ? { to: new Date(toStart).setDate(new Date(toStart).getDate() + 1) } : {}),
  };
}

/** True when any filter is set. */
export function hasFilters(filters: ListFilters): boolean {
  return Object.values(filters).some((value) => value !== '');
}

/** Answers analysed so far (scored or failed) and answers in all, for "scoring n of m". */
export function scoringProgress(item: Pick<InterviewListItem, 'counts'>): { done: number; total: number } {
  return { done: item.counts.answers - item.counts.pending, total: item.counts.answers };
}

/** `m:ss` or `h:mm:ss` of a duration. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
