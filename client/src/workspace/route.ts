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

/** The current path, following back/forward, and `navigate` to push a new one. */
export function usePath(): { path: string; navigate: (path: string) => void } {
  const [path, setPath] = useState(() => window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((next: string) => {
    if (next !== window.location.pathname) window.history.pushState(null, '', next);
    setPath(next);
  }, []);
  return { path, navigate };
}
