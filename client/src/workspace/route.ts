import { useCallback, useEffect, useState } from 'react';

// The workspace's addresses: `/interviews` (the list) and `/interviews/<id>` (one interview). The server answers every
// non-API path with index.html, so both survive a reload and can be shared as links.

/** The interview id in a path, or null for the list (or any other path). */
export function interviewIdFromPath(pathname: string): string | null {
  const match = /^\/interviews\/([^/]+)\/?$/.exec(pathname);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

/** True for the workspace's own paths. */
export function isWorkspacePath(pathname: string): boolean {
  return /^\/interviews(\/[^/]+)?\/?$/.test(pathname);
}

/** The path of one interview. */
export const interviewPath = (id: string): string => `/interviews/${encodeURIComponent(id)}`;

/** Puts the address bar in step with the screen the navigation chose (other screens live at `/`). */
export function pathForScreen(workspace: boolean): void {
  const { pathname } = window.location;
  if (workspace && !isWorkspacePath(pathname)) window.history.pushState(null, '', '/interviews');
  if (!workspace && isWorkspacePath(pathname)) window.history.pushState(null, '', '/');
}

/** The address of the comparison of one role's candidates (`/interviews?compare=<role>`). */
export const comparePath = (role: string): string => `/interviews?${new URLSearchParams({ compare: role }).toString()}`;

/** The current path and query, following back/forward, and `navigate` to push a new address (path, maybe `?query`). */
export function usePath(): { path: string; search: URLSearchParams; navigate: (address: string) => void } {
  const [address, setAddress] = useState(() => `${window.location.pathname}${window.location.search}`);
  useEffect(() => {
    const onPop = () => setAddress(`${window.location.pathname}${window.location.search}`);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((next: string) => {
    if (next !== `${window.location.pathname}${window.location.search}`) window.history.pushState(null, '', next);
    setAddress(next);
  }, []);
  const [path = '/', query = ''] = address.split('?');
  return { path, search: new URLSearchParams(query), navigate };
}
