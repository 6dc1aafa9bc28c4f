import { describe, expect, it } from 'vitest';
import { alarmMetricPeriods, backupPlanUsdPerGbMonth, idleMonthlyCost, scheduleIntervalDays } from '#bench/idle-cost.ts';

const GB = 1024 ** 3;
const metricStat = (period: number) => ({ Id: 'm', MetricStat: { Metric: { MetricName: 'Errors' }, Period: period } });

describe('Function: idleMonthlyCost', () => {
  it('bills a metric-math alarm per metric it evaluates, not per expression', () => {
    // act / assess
    expect(alarmMetricPeriods({ Metrics: [{ Id: 'e', Expression: 'm1 / m2' }, metricStat(300), metricStat(300)] })).toEqual([300, 300]);
    expect(alarmMetricPeriods({ MetricName: 'Errors', Period: 10 })).toEqual([10]);
  });

  it('keeps one full copy per scheduled backup for its retention, warm then cold', () => {
    // prepare
    const plan = {
      Type: 'AWS::Backup::BackupPlan',
      Properties: {
        BackupPlan: {
          BackupPlanRule: [
            { ScheduleExpression: 'cron(0 5 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } },
            { ScheduleExpression: 'cron(0 5 1 * ? *)', Lifecycle: { DeleteAfterDays: 365, MoveToColdStorageAfterDays: 30 } },
          ],
        },
      },
    };

    // act
    const usd = backupPlanUsdPerGbMonth(plan);

    // assess: 35 daily warm copies, and one monthly copy warm plus 335/30 cold
    expect(usd).toBeCloseTo(35 * 0.1 + 1 * 0.1 + (335 / 30) * 0.03, 6);
    expect([
      scheduleIntervalDays('cron(0 5 * * ? *)'),
      scheduleIntervalDays('cron(0 5 ? * SUN *)'),
      scheduleIntervalDays('rate(12 hours)'),
    ]).toEqual([1, 7, 0.5]);
  });

  it('adds keys, secrets, alarms, dashboards beyond three, and the table with point-in-time recovery', () => {
    // prepare
    const template = {
      Resources: {
        Key: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } },
        S1: { Type: 'AWS::SecretsManager::Secret' },
        S2: { Type: 'AWS::SecretsManager::Secret' },
        A1: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors', Period: 300 } },
        A2: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ Expression: 'a+b' }, metricStat(60), metricStat(60)] } },
        ...Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`D${i}`, { Type: 'AWS::CloudWatch::Dashboard' }])),
        T: { Type: 'AWS::DynamoDB::Table', Properties: { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } } },
        F: { Type: 'AWS::Lambda::Function' },
        X: { Type: 'AWS::Something::New' },
      },
    };

    // act
    const idle = idleMonthlyCost(template, 2 * GB);

    // assess
    expect(idle.totalUsd).toBeCloseTo(1 + 0.8 + 0.3 + 3 + 2 * 0.25 + 2 * 0.2, 6);
    expect(idle.perUseTypes).toEqual(['AWS::Lambda::Function']);
    expect(idle.unknownTypes).toEqual(['AWS::Something::New']);
  });
});
