import type { JourneyMetrics } from '#shared/journey-metrics.ts';

/** One metric a use case emitted, as the port received it. */
export type EmittedMetric =
  | { metric: 'parked' | 'stopped'; stage: string }
  | { metric: 'ended'; status: string; timeInStageMs: Record<string, number> }
  | { metric: 'taskOverdue'; queue: string };

/** A JourneyMetrics that keeps what it was told, for tests that assert on metrics. */
export function recordingMetrics(): { port: JourneyMetrics; emitted: EmittedMetric[] } {
  const emitted: EmittedMetric[] = [];
  return {
    emitted,
    port: {
      parked: (stage) => emitted.push({ metric: 'parked', stage }),
      stopped: (stage) => emitted.push({ metric: 'stopped', stage }),
      ended: (status, timeInStageMs) => emitted.push({ metric: 'ended', status, timeInStageMs: { ...timeInStageMs } }),
      taskOverdue: (queue) => emitted.push({ metric: 'taskOverdue', queue }),
    },
  };
}

/** For tests about something else. */
export const noMetrics: JourneyMetrics = recordingMetrics().port;
