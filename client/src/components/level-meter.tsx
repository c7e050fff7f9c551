import type { Channel } from '../../../protocol/index.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useChannelLevel, type LevelStore } from '../session/level-store.ts';

/** Maps a linear level to 0..1 over -60..0 dBFS, the range speech moves in. */
export function levelToFraction(level: number): number {
  if (level <= 0) return 0;
  const db = 20 * Math.log10(level);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

/** Input meter of one channel with its speech indicator. */
export function LevelMeter({ store, channel, speaking }: { store: LevelStore; channel: Channel; speaking: boolean }) {
  const { t } = useI18n();
  const level = useChannelLevel(store, channel);
  const rms = levelToFraction(level.rms);
  const peak = levelToFraction(level.peak);
  const name = t(`channel.${channel}`);
  return (
    <div className={`meter meter--${channel} ${speaking ? 'meter--speaking' : ''}`} data-testid={`level-meter-${channel}`} data-speaking={String(speaking)}>
      <span className="meter__name">
        <span className="meter__dot" aria-hidden="true" />
        {name}
        {speaking && <span className="meter__speaking">{t('live.speaking')}</span>}
      </span>
      <span
        className="meter__track"
        role="meter"
        aria-label={t('live.level', { channel: name })}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(rms * 100)}
      >
        <span className="meter__fill" style={{ transform: `scaleX(${rms})` }} />
        <span className="meter__peak" style={{ left: `${peak * 100}%` }} />
      </span>
    </div>
  );
}
