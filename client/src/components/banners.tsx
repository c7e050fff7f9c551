import { FRAME_MS } from '../audio/capture-messages.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { InterviewState } from '../state/interview-reducer.ts';

const framesToSeconds = (frames: number) => ((frames * FRAME_MS) / 1000).toFixed(1);

/** Status banners: connection, LLM failures, a lost session, ended sources, audio gaps. Rendered only when relevant. */
export function Banners({ state }: { state: InterviewState }) {
  const { t } = useI18n();
  const banners: { key: string; tone: 'warn' | 'error' | 'info'; testId: string; text: string; status?: string }[] = [];
  const active = state.phase === 'live' || state.phase === 'stopping' || state.phase === 'review' || state.phase === 'starting';
  if (active && state.phase !== 'starting' && (state.connection === 'reconnecting' || state.connection === 'resuming') && !state.fatalError) {
    banners.push({
      key: 'connection',
      tone: 'warn',
      testId: 'connection-banner',
      status: state.connection,
      text:
        state.connection === 'reconnecting'
          ? t('banner.reconnecting', { seconds: framesToSeconds(state.buffer.pendingFrames) })
          : t('banner.resuming'),
    });
  }
  const dropped = state.buffer.droppedFrames + state.buffer.lostInTransitFrames;
  if (active && dropped > 0) {
    banners.push({ key: 'dropped', tone: 'warn', testId: 'dropped-banner', text: t('banner.dropped', { seconds: framesToSeconds(dropped) }) });
  }
  if (state.fatalError) {
    banners.push({ key: 'fatal', tone: 'error', testId: 'fatal-banner', text: t('banner.fatal', { message: state.fatalError.message }) });
  }
  if (active && state.notRecording) {
    banners.push({ key: 'not-recording', tone: 'error', testId: 'not-recording-banner', text: t('banner.notRecording', { message: state.notRecording.message }) });
  }
  if (active && state.llmError) {
    banners.push({ key: 'llm', tone: 'error', testId: 'llm-banner', text: t('banner.llm', { code: state.llmError.code, message: state.llmError.message }) });
  }
  if (state.phase === 'live') {
    for (const channel of state.endedChannels) {
      banners.push({ key: `ended-${channel}`, tone: 'warn', testId: 'capture-ended-banner', text: t('banner.captureEnded', { channel: t(`channel.${channel}`) }) });
    }
  }
  const lastServerError = state.serverErrors.findLast((e) => !e.code.startsWith('llm-'));
  if (active && lastServerError) {
    banners.push({
      key: 'server',
      tone: 'info',
      testId: 'server-error-banner',
      text: t('banner.serverError', { code: lastServerError.code, message: lastServerError.message }),
    });
  }
  if (active && state.gaps.length > 0) {
    const missing = state.gaps.reduce((sum, gap) => sum + gap.missingFrames, 0);
    banners.push({ key: 'gaps', tone: 'info', testId: 'gaps-banner', text: t('banner.gaps', { count: state.gaps.length, seconds: framesToSeconds(missing) }) });
  }
  if (banners.length === 0) return null;
  return (
    <div className="banners">
      {banners.map((banner) => (
        <p
          key={banner.key}
          className={`banner banner--${banner.tone}`}
          data-testid={banner.testId}
          data-status={banner.status}
          role={banner.tone === 'info' ? 'status' : 'alert'}
        >
          {banner.text}
        </p>
      ))}
    </div>
  );
}
