import type { Logger } from '../logger.ts';
import type { SessionSubscriber } from './events.ts';
import type { Session } from './session.ts';

/** Logs one line per session at its end: turns, end-of-speech → final latency, analysis outcomes, bus counters. */
export function createMetricsSubscriber(logger: Logger): (session: Session) => SessionSubscriber {
  return (session) => {
    const latenciesMs: number[] = [];
    let scores = 0;
    let analysisErrors = 0;
    return {
      name: 'metrics',
      handle(event) {
        if (event.type === 'transcript-final') latenciesMs.push(event.finalLatencyMs);
        else if (event.type === 'score-final') scores++;
        else if (event.type === 'analysis-error') analysisErrors++;
        else if (event.type === 'session-end') {
          const sorted = [...latenciesMs].sort((a, b) => a - b);
          const p50 = sorted[Math.floor(sorted.length / 2)];
          const bus = session.events.stats();
          logger.info(
            `session ${session.id} ended: ${latenciesMs.length} turns, final p50 ${p50 === undefined ? '-' : Math.round(p50)} ms, ` +
              `${scores} scores, ${analysisErrors} analysis errors, bus dropped ${bus.dropped}, subscriber failures ${JSON.stringify(bus.failures)}`,
          );
        }
      },
    };
  };
}
