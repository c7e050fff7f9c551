import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import './styles.css';

// The candidate's page of an automated interview (`/interview#<token>`), loaded only there.
const CandidateApp = lazy(() => import('./candidate/candidate-app.tsx'));
const isCandidatePage = /\/interview\/?$/.test(window.location.pathname);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    {isCandidatePage ? (
      <Suspense fallback={null}>
        <CandidateApp />
      </Suspense>
    ) : (
      <App />
    )}
  </StrictMode>,
);
