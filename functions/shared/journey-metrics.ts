import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { JOURNEY_METRICS } from '#contract/journey-metrics.ts';
import type { JourneyStatus, StageName } from '#contract/journey-workflow.ts';
import type { StaffQueue } from '#contract/staff-queues.ts';

export { JOURNEY_METRICS };

/** A metric's unit, as Powertools names them. */
type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

export type EndedStatus = Extract<JourneyStatus, 'COMPLETED' | 'CANCELLED' | 'FAILED'>;

/**
 * The metrics port. Each fact is counted after the one write that made it so (a repeat counts nothing); emitting
 * never fails the caller.
 */
export interface JourneyMetrics {
  parked(stage: StageName, now: Date): void;
  stopped(stage: StageName, now: Date): void;
  ended(status: EndedStatus, timeInStageMs: Partial<Record<StageName, number>>, now: Date): void;
  taskOverdue(queue: StaffQueue, now: Date): void;
}

/**
 * The adapter: CloudWatch Embedded Metric Format through Powertools Metrics, one EMF line per metric on the function's
 * log (CloudWatch Logs turns it into the metric; locally it is a log line like any other). Timestamped by the one
 * clock. Disabled where POWERTOOLS_METRICS_DISABLED says so (tests run with POWERTOOLS_DEV).
 */
export function emfJourneyMetrics(
  metrics = new Metrics({ namespace: JOURNEY_METRICS.namespace, serviceName: JOURNEY_METRICS.service }),
): JourneyMetrics {
  const emit = (now: Date, dimension: string, value: string, name: string, unit: Unit, amount: number) => {
    try {
      const one = metrics.singleMetric();
      one.setTimestamp(now);
      one.addDimension(dimension, value);
      one.addMetric(name, unit, amount);
    } catch {
      // A metric is never worth failing a patient's journey for.
    }
  };
  return {
    parked: (stage, now) => emit(now, 'stage', stage, JOURNEY_METRICS.parked, MetricUnit.Count, 1),
    stopped: (stage, now) => emit(now, 'stage', stage, JOURNEY_METRICS.stopped, MetricUnit.Count, 1),
    ended(status, timeInStageMs, now) {
      emit(now, 'status', status, JOURNEY_METRICS.ended, MetricUnit.Count, 1);
      for (const [stage, ms] of Object.entries(timeInStageMs))
        emit(now, 'stage', stage, JOURNEY_METRICS.timeInStage, MetricUnit.Milliseconds, ms);
    },
    taskOverdue: (queue, now) => emit(now, 'queue', queue, JOURNEY_METRICS.overdue, MetricUnit.Count, 1),
  };
}
