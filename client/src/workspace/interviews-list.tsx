import { useEffect, useReducer, type ReactNode } from 'react';
import { InterviewState, type InterviewListItem } from '../../../protocol/interviews.ts';
import { problemOf } from '../api/replies.ts';
import { formatDuration, hasFilters, initialListState, listReducer, PAGE_SIZE, scoringProgress, toListQuery, type ListAction, type ListFilters } from './list-state.ts';
import type { WorkspaceApi } from './workspace-api.ts';
import { useWorkspaceText, type WorkspaceKey } from './workspace-text.ts';

/** Milliseconds a typed search waits for the next key before it is sent. */
const SEARCH_DEBOUNCE_MS = 250;
/** How often a page with live, processing or scoring rows is read again. */
export const LIST_REFRESH_MS = 5000;

/** The status cell: "scoring n of m" with its counts, the other states as a badge. */
export function StateBadge({ item }: { item: Pick<InterviewListItem, 'state' | 'counts'> }) {
  const { w } = useWorkspaceText();
  const progress = scoringProgress(item);
  return (
    <span className={`state-badge state-badge--${item.state}`} data-testid="interview-state" data-state={item.state}>
      {item.state === 'scoring' ? w('ws.scoring', { done: progress.done, total: progress.total }) : w(`ws.state.${item.state}`)}
    </span>
  );
}

function Row({ item, onOpen }: { item: InterviewListItem; onOpen: (id: string) => void }) {
  const { w, locale } = useWorkspaceText();
  const name = item.candidateName?.trim() || w('ws.unnamed');
  return (
    <tr data-testid="interview-row" data-interview-id={item.id}>
      <td>
        <a
          href={`/interviews/${encodeURIComponent(item.id)}`}
          className="ws-link"
          data-testid="open-interview"
          onClick={(event) => {
            if (event.metaKey || event.ctrlKey || event.shiftKey) return;
            event.preventDefault();
            onOpen(item.id);
          }}
        >
          {name}
        </a>
        <span className="ws-mode">{w(`ws.mode.${item.mode}`)}</span>
      </td>
      <td>{item.role || item.title || '—'}</td>
      <td>
        <time dateTime={new Date(item.createdAtMs).toISOString()}>
          {new Date(item.createdAtMs).toLocaleString(locale === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' })}
        </time>
      </td>
      <td className="ws-num">{formatDuration(item.durationMs)}</td>
      <td>
        <StateBadge item={item} />
      </td>
      <td className="ws-num" data-testid="interview-overall">
        {item.overall === null ? '—' : item.overall.toFixed(1)}
      </td>
      <td>
        <span className={`rec rec--${item.recommendation}`} data-testid="interview-recommendation">
          {w(`ws.rec.${item.recommendation}` as WorkspaceKey)}
        </span>
      </td>
    </tr>
  );
}

/** Search box and the role, status and date filters; every change goes back to the first page. */
function Filters({ filters, roles, dispatch }: { filters: ListFilters; roles: string[]; dispatch: (action: ListAction) => void }) {
  const { w } = useWorkspaceText();
  return (
    <form className="ws__filters panel" role="search" aria-label={w('ws.filters')} onSubmit={(event) => event.preventDefault()}>
      <label className="field ws__search">
        <span className="field__label">{w('ws.search')}</span>
        <input
          type="search"
          data-testid="interview-search"
          value={filters.q}
          placeholder={w('ws.searchPlaceholder')}
          onChange={(event) => dispatch({ type: 'filters/set', filters: { q: event.currentTarget.value } })}
        />
      </label>
      <label className="field">
        <span className="field__label">{w('ws.role')}</span>
        <select data-testid="filter-role" value={filters.role} onChange={(event) => dispatch({ type: 'filters/set', filters: { role: event.currentTarget.value } })}>
          <option value="">{w('ws.allRoles')}</option>
          {roles.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field__label">{w('ws.state')}</span>
        <select
          data-testid="filter-state"
          value={filters.state}
          onChange={(event) => dispatch({ type: 'filters/set', filters: { state: event.currentTarget.value as InterviewState | '' } })}
        >
          <option value="">{w('ws.allStates')}</option>
          {InterviewState.options.map((name) => (
            <option key={name} value={name}>
              {w(`ws.state.${name}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field__label">{w('ws.from')}</span>
        <input type="date" data-testid="filter-from" value={filters.fromDate} onChange={(event) => dispatch({ type: 'filters/set', filters: { fromDate: event.currentTarget.value } })} />
      </label>
      <label className="field">
        <span className="field__label">{w('ws.to')}</span>
        <input type="date" data-testid="filter-to" value={filters.toDate} onChange={(event) => dispatch({ type: 'filters/set', filters: { toDate: event.currentTarget.value } })} />
      </label>
      <button type="button" className="button button--ghost" data-testid="clear-filters" disabled={!hasFilters(filters)} onClick={() => dispatch({ type: 'filters/clear' })}>
        {w('ws.clear')}
      </button>
    </form>
  );
}

/** "1–20 of 134" with previous and next. */
function Pager({ offset, total, dispatch }: { offset: number; total: number; dispatch: (action: ListAction) => void }) {
  const { w } = useWorkspaceText();
  return (
    <nav className="ws__pages" aria-label={w('ws.pagination')}>
      <span data-testid="page-info">{w('ws.pageInfo', { first: offset + 1, last: Math.min(total, offset + PAGE_SIZE), total })}</span>
      <button type="button" className="button button--small" data-testid="page-previous" disabled={offset === 0} onClick={() => dispatch({ type: 'page/previous' })}>
        {w('ws.previous')}
      </button>
      <button
        type="button"
        className="button button--small"
        data-testid="page-next"
        disabled={offset + PAGE_SIZE >= total}
        onClick={() => dispatch({ type: 'page/next' })}
      >
        {w('ws.next')}
      </button>
    </nav>
  );
}

/** The interview list: search, filters by role, status and date, a page of rows, previous/next; `upload` shows under the heading. */
export function InterviewsList(props: { api: WorkspaceApi; onOpen: (id: string) => void; onUpload: () => void; onCompare: (role: string) => void; upload?: ReactNode }) {
  const { api, onOpen, onUpload, onCompare, upload } = props;
  const { w } = useWorkspaceText();
  const [state, dispatch] = useReducer(listReducer, undefined, initialListState);
  const { filters, page } = state;
  const query = toListQuery(state);
  const queryKey = JSON.stringify(query);
  const [reloads, reload] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(
      () => {
        dispatch({ type: 'load/started' });
        api.list(JSON.parse(queryKey) as typeof query, controller.signal).then(
          (reply) => dispatch({ type: 'load/done', page: reply }),
          (error: unknown) => {
            if (!controller.signal.aborted) dispatch({ type: 'load/failed', error: problemOf(error) });
          },
        );
      },
      filters.q ? SEARCH_DEBOUNCE_MS : 0,
    );
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // queryKey stands for the query (an object would change every render); reloads re-runs it on demand.
  }, [api, queryKey, reloads]);

  // Rows that still change by themselves (live, processing, scoring n of m) are read again every few seconds.
  const changing = page?.items.some((item) => item.state === 'live' || item.state === 'processing' || item.state === 'scoring') ?? false;
  useEffect(() => {
    if (!changing || state.status !== 'ready') return;
    const timer = setTimeout(reload, LIST_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [changing, state.status, page]);

  const items = page?.items ?? [];
  const total = page?.total ?? 0;
  return (
    <section className="ws" data-testid="interviews-list" aria-labelledby="ws-heading">
      <header className="ws__head">
        <div>
          <h1 id="ws-heading" className="ws__title">
            {w('ws.heading')}
          </h1>
          <p className="muted">{w('ws.intro')}</p>
        </div>
        <div className="prep__actions">
          <button
            type="button"
            className="button"
            data-testid="open-compare"
            disabled={!filters.role}
            title={filters.role ? undefined : w('ws.compareNeedRole')}
            onClick={() => onCompare(filters.role)}
          >
            {w('ws.compare')}
          </button>
          <button type="button" className="button button--primary" data-testid="open-upload" onClick={onUpload}>
            {w('ws.upload')}
          </button>
        </div>
      </header>
      {upload}

      <Filters filters={filters} roles={page?.roles ?? []} dispatch={dispatch} />

      {state.status === 'error' && state.error && (
        <p className="banner banner--error" role="alert" data-testid="list-error">
          {w('ws.loadFailed', { message: state.error.message })}{' '}
          <button type="button" className="button button--small" onClick={reload}>
            {w('ws.retry')}
          </button>
        </p>
      )}

      <div className="panel ws__table-box" aria-busy={state.status === 'loading'}>
        {page && items.length === 0 ? (
          <p className="muted" data-testid="list-empty">
            {hasFilters(filters) ? w('ws.noMatch') : w('ws.empty')}
          </p>
        ) : !page ? (
          <p className="muted">{w('ws.loading')}</p>
        ) : (
          <table className="ws__table" data-testid="interviews-table">
            <thead>
              <tr>
                {(['candidate', 'role', 'date', 'duration', 'status', 'overall', 'recommendation'] as const).map((column) => (
                  <th key={column} scope="col">
                    {w(`ws.col.${column}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <Row key={item.id} item={item} onOpen={onOpen} />
              ))}
            </tbody>
          </table>
        )}
      </div>

      {total > 0 && <Pager offset={state.offset} total={total} dispatch={dispatch} />}
    </section>
  );
}
