import { describe, expect, it } from 'vitest';
import { formatDuration, initialListState, listReducer, PAGE_SIZE, scoringProgress, toListQuery } from './list-state.ts';
import { listItem, page } from './fixtures.ts';

describe('interview list state', () => {
  it('goes back to the first page when a filter changes, and pages within the total', () => {
    let state = listReducer(initialListState(), { type: 'load/done', page: page([listItem()], 45) });
    state = listReducer(state, { type: 'page/next' });
    state = listReducer(state, { type: 'page/next' });
    expect(state.offset).toBe(2 * PAGE_SIZE);
    expect(listReducer(state, { type: 'page/next' }).offset).toBe(2 * PAGE_SIZE); // 40 + 20 ≥ 45: no fourth page
    state = listReducer(state, { type: 'filters/set', filters: { q: 'kafka' } });
    expect(state.offset).toBe(0);
    expect(listReducer(state, { type: 'page/previous' }).offset).toBe(0);
    expect(listReducer(state, { type: 'filters/clear' }).filters.q).toBe('');
  });

  it('turns the filters into the API query: trimmed words, whole local days, nothing for empty fields', () => {
    const state = listReducer(initialListState(), { type: 'filters/set', filters: { q: '  sharding ', role: 'Data scientist', state: 'scoring', fromDate: '2026-03-01', toDate: '2026-03-02' } });
    expect(toListQuery(state)).toEqual({
      limit: PAGE_SIZE,
      offset: 0,
      q: 'sharding',
      role: 'Data scientist',
      state: 'scoring',
      from: new Date(2026, 2, 1).getTime(),
      to: new Date(2026, 2, 3).getTime(),
    });
    expect(toListQuery(initialListState())).toEqual({ limit: PAGE_SIZE, offset: 0 });
  });

  it('counts scoring progress and formats durations', () => {
    expect(scoringProgress(listItem({ counts: { turns: 10, answers: 5, scored: 2, failed: 1, pending: 2 } }))).toEqual({ done: 3, total: 5 });
    expect(formatDuration(65_000)).toBe('1:05');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
  });
});
