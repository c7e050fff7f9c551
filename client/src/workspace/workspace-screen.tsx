import { useState } from 'react';
import './workspace.css';
import type { PrepApi } from '../api/prep-api.ts';
import { InterviewDetailView } from './interview-detail.tsx';
import { InterviewsList } from './interviews-list.tsx';
import { CompareView } from './compare-view.tsx';
import { comparePath, interviewIdFromPath, interviewPath, usePath } from './route.ts';
import { UploadPanel } from './upload-panel.tsx';
import { createWorkspaceApi, type WorkspaceApi } from './workspace-api.ts';

/**
 * The recruiter's workspace: the interview list (with the upload panel above it) at `/interviews`, one interview at
 * `/interviews/:id`, one role's candidates side by side at `/interviews?compare=<role>`; back/forward and reloads keep
 * the place.
 */
export function WorkspaceScreen({ api: givenApi, prepApi }: { api?: WorkspaceApi; prepApi?: PrepApi }) {
  const [api] = useState<WorkspaceApi>(() => givenApi ?? createWorkspaceApi());
  const { path, search, navigate } = usePath();
  const [uploading, setUploading] = useState(false);
  const openId = interviewIdFromPath(path);

  if (openId) {
    return (
      <InterviewDetailView
        key={openId}
        api={api}
        {...(prepApi ? { prepApi } : {})}
        interviewId={openId}
        onBack={() => navigate('/interviews')}
        onDeleted={() => navigate('/interviews')}
      />
    );
  }
  const compareRole = search.get('compare');
  if (compareRole) {
    return <CompareView api={api} role={compareRole} onOpen={(id) => navigate(interviewPath(id))} onBack={() => navigate('/interviews')} />;
  }
  const upload = uploading ? (
    <UploadPanel
      api={api}
      onClose={() => setUploading(false)}
      onDone={(id) => {
        setUploading(false);
        navigate(interviewPath(id));
      }}
    />
  ) : null;
  return <InterviewsList api={api} onOpen={(id) => navigate(interviewPath(id))} onUpload={() => setUploading(true)} onCompare={(role) => navigate(comparePath(role))} upload={upload} />;
}
