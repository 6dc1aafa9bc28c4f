/**
 * The product's own CloudWatch metrics: what AWS does not measure for us (Step Functions counts executions, not why a
 * journey waits; nothing counts overdue tasks). The functions write them (functions/shared/journey-metrics.ts) and the
 * dashboard (infra/constructs/monitoring.ts) reads them, by these names and dimensions. Dimensions come from closed
 * lists only (stage, status, queue names): never a clinic, patient, journey or task, so no metric can carry PHI, and
 * the number of metrics stays fixed (each is billed per month).
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
