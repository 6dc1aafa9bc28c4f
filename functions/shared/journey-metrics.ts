import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { JourneyStatus, StageName } from '#contract/journey-workflow.ts';
import type { StaffQueue } from '#contract/staff-queues.ts';

/**
 * The product's own CloudWatch metrics: what AWS does not measure for us (Step Functions counts executions, not why a
 * journey waits; nothing counts overdue tasks). The dashboard (infra/constructs/monitoring.ts) reads them by these
 * names and dimensions. Dimensions come from closed lists only (stage, status, queue names): never a clinic, patient,
 * journey or task, so no metric can carry PHI, and the number of metrics stays fixed (each is billed per month).
 */
export const JOURNEY_METRICS = {
  namespace: 'PatientAccess',
  /** The `service` dimension Powertools adds to every metric. */
  service: 'patient-access',
  /** A stage parked the journey for staff (dimension `stage`). */
  parked: 'JourneysParked',
  /** A journey's execution stopped (failed, timed out, aborted) in a stage and was held for staff (dimension `stage`). */
  stopped: 'JourneysStopped',
  /** A journey ended (dimension `status`: COMPLETED, CANCELLED, FAILED). */
  ended: 'JourneysEnded',
  /** Milliseconds a completed journey spent in a stage, waits for staff included (dimension `stage`). */
  timeInStage: 'TimeInStage',
  /** A staff task was still open at its due time and escalated (dimension `queue`). */
  overdue: 'StaffTasksOverdue',
} as const;

/** A metric's unit, as Powertools names them. */
type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

export type EndedStatus = Extract<JourneyStatus, 'COMPLETED' | 'CANCELLED' | 'FAILED'>;

/** The metrics port. Emitting is at least once (a retried task may count again) and never fails the caller. */
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
