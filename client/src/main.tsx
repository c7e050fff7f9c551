// First: zod must know before any module parses anything that eval is off (the server's CSP forbids it).
import './zod-jitless.ts';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import './styles.css';

// The candidate's page of an automated interview (`/interview#<token>`), loaded only there.
const CandidateApp = lazy(() => import('./candidate/candidate-app.tsx'));
const isCandidatePage = /\/interview\/?$/.test(window.location.pathname);

// Canned states (`?demo=setup|live|…`) for design work, only under `vite` dev: in a build `import.meta.env.DEV` is the
// constant false, so this branch, its dynamic import and the fixtures behind it are dropped from the bundle.
const demoKind = import.meta.env.DEV ? new URLSearchParams(window.location.search).get('demo') : null;
const DemoApp = import.meta.env.DEV ? lazy(() => import('./dev/demo-session.tsx')) : null;

function Root() {
  if (isCandidatePage) {
    return (
      <Suspense fallback={null}>
        <CandidateApp />
      </Suspense>
    );
  }
  if (DemoApp && demoKind) {
    return (
      <Suspense fallback={null}>
        <DemoApp kind={demoKind} />
      </Suspense>
    );
  }
  return <App />;
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
