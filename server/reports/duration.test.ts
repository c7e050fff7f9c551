import { describe, expect, it } from 'vitest';
import { interviewDurationMs } from '../../protocol/interviews.ts';
import { SAMPLE_RATE } from '../../protocol/audio.ts';
import { englishInterviewDetail } from '../../test/fixtures/interview-detail.ts';
import { buildReport, renderMarkdown } from './index.ts';

// Issue 16: a 5:38 session's report said "Duration 0:38". The duration was the end of the last stored turn, so a
// session whose audio went on after its last turn (a quiet end, finals still decoding at stop) came out far too short.
describe('interview duration', () => {
  it('is the audio the channels received when that runs past the last turn', () => {
    const detail = englishInterviewDetail();
    const lastTurnEndMs = Math.max(...detail.turns.map((turn) => turn.endMs));
    expect(lastTurnEndMs).toBeLessThan(60_000);
    detail.channels = [
      { channel: 'interviewer', nextSeq: 3380, samplesReceived: 338 * SAMPLE_RATE, updatedAtMs: 0 },
      { channel: 'candidate', nextSeq: 3370, samplesReceived: 337 * SAMPLE_RATE, updatedAtMs: 0 },
    ];
    const report = buildReport(detail);
    expect(report.interview.durationMs).toBe(338_000);
    expect(renderMarkdown(report, { timeZone: 'UTC' })).toContain('5:38');
  });

  it('is the end of the last turn when no channel progress was stored', () => {
    expect(interviewDurationMs({ turns: [{ endMs: 12_000 }, { endMs: 95_500 }], channels: [] })).toBe(95_500);
    expect(interviewDurationMs({ turns: [{ endMs: 95_500 }], channels: [{ samplesReceived: 16_000 }] })).toBe(95_500);
  });
});
