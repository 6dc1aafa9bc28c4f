import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { emfJourneyMetrics, JOURNEY_METRICS } from '#shared/journey-metrics.ts';
import { logger } from '#shared/observability.ts';
import { captureLogLines, type LogRecord } from '#test/support/log-lines.ts';

const now = new Date('2026-12-01T10:00:00.000Z');
const saved = process.env.POWERTOOLS_METRICS_DISABLED;

/** The EMF lines the adapter wrote while `act` ran (metrics enabled, as in Lambda). */
function emitted(act: (metrics: ReturnType<typeof emfJourneyMetrics>) => void): LogRecord[] {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const lines = captureLogLines({ logger });
  try {
    act(emfJourneyMetrics(new Metrics({ namespace: JOURNEY_METRICS.namespace, serviceName: JOURNEY_METRICS.service })));
  } finally {
    lines.restore();
  }
  return lines.records().filter((record) => '_aws' in record);
}

afterEach(() => {
  if (saved === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
  else process.env.POWERTOOLS_METRICS_DISABLED = saved;
});

describe('Adapter: emfJourneyMetrics (Powertools Metrics, CloudWatch EMF)', () => {
  it('writes one EMF line per metric, in the namespace, with the service and one closed-list dimension, at the clock’s time', () => {
    // Act
    const lines = emitted((metrics) => metrics.parked('ELIGIBILITY', now));

    // Assess
    expect(lines).toEqual([
      {
        _aws: {
          Timestamp: now.getTime(),
          CloudWatchMetrics: [
            { Namespace: 'PatientAccess', Dimensions: [['service', 'stage']], Metrics: [{ Name: 'JourneysParked', Unit: 'Count' }] },
          ],
        },
        service: 'patient-access',
        stage: 'ELIGIBILITY',
        JourneysParked: 1,
      },
    ]);
  });

  it('counts an end by status and times each completed stage in milliseconds, each under its own stage', () => {
    // Act
    const lines = emitted((metrics) => metrics.ended('COMPLETED', { INTAKE: 1200, ELIGIBILITY: 3400 }, now));

    // Assess
    expect(lines.map(({ _aws, ...rest }) => rest)).toEqual([
      { service: 'patient-access', status: 'COMPLETED', JourneysEnded: 1 },
      { service: 'patient-access', stage: 'INTAKE', TimeInStage: 1200 },
      { service: 'patient-access', stage: 'ELIGIBILITY', TimeInStage: 3400 },
    ]);
    expect(lines.map((line) => JSON.stringify(line)).join()).toContain('"Unit":"Milliseconds"');
  });

  it('counts overdue tasks by queue, and stopped executions by stage', () => {
    // Act
    const lines = emitted((metrics) => {
      metrics.taskOverdue('clinical-triage', now);
      metrics.stopped('PAYMENT', now);
    });

    // Assess
    expect(lines.map(({ _aws, ...rest }) => rest)).toEqual([
      { service: 'patient-access', queue: 'clinical-triage', StaffTasksOverdue: 1 },
      { service: 'patient-access', stage: 'PAYMENT', JourneysStopped: 1 },
    ]);
  });

  it('never throws into the use case, even when Powertools refuses a metric', () => {
    // Prepare
    const refusing = {
      singleMetric: () => ({
        setTimestamp: () => undefined,
        addDimension: () => {
          throw new Error('refused');
        },
      }),
    };

    // Act
    const act = () => emfJourneyMetrics(refusing as unknown as Metrics).parked('INTAKE', now);

    // Assess
    expect(act).not.toThrow();
  });
});
