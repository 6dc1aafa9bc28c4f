/**
 * What a deployment costs a month with no traffic at all, read from the synthesized CloudFormation template: the
 * resources that bill by the month whatever the traffic (KMS keys, secrets, alarms, dashboards, hourly resources) and
 * those that bill by stored size (the table, its point-in-time recovery and its backups). us-east-1 list prices.
 * Pure: takes the template and the table's size.
 */

export const IDLE_PRICES = {
  /** AWS KMS: per customer managed key per month (each of the first two automatic rotations adds $1/month). */
  kmsKeyMonth: 1,
  /** Secrets Manager: per secret per month. */
  secretMonth: 0.4,
  /** CloudWatch: per alarm metric per month, standard (period ≥ 60 s) and high resolution. An alarm is billed per metric it evaluates. */
  alarmMetricMonth: 0.1,
  alarmMetricHighResolutionMonth: 0.3,
  compositeAlarmMonth: 0.5,
  /** CloudWatch dashboards: per dashboard per month beyond the free three. */
  dashboardMonth: 3,
  freeDashboards: 3,
  /** DynamoDB Standard table class storage, point-in-time recovery, and backups (warm, cold) per GB-month. */
  tableStorageGbMonth: 0.25,
  pitrGbMonth: 0.2,
  backupWarmGbMonth: 0.1,
  backupColdGbMonth: 0.03,
  /** Resources billed by the hour (730 hours a month). */
  natGatewayHour: 0.045,
  interfaceEndpointHourPerAz: 0.01,
  loadBalancerHour: 0.0225,
  hostedZoneMonth: 0.5,
  /** SSM Parameter Store advanced parameter per month (standard parameters are free). */
  advancedParameterMonth: 0.05,
} as const;

const HOURS_PER_MONTH = 730;
const GB = 1024 ** 3;

/** Resource types that cost nothing while nothing uses them (billed per request, per GB processed, or free). */
const PER_USE = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::Lambda::Function',
  'AWS::Lambda::Permission',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::Url',
  'AWS::Logs::LogGroup',
  'AWS::Logs::SubscriptionFilter',
  'AWS::Logs::MetricFilter',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
  'AWS::Events::Rule',
  'AWS::Events::EventBus',
  'AWS::Scheduler::ScheduleGroup',
  'AWS::Scheduler::Schedule',
  'AWS::StepFunctions::StateMachine',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Stage',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Authorizer',
  'AWS::SES::ConfigurationSet',
  'AWS::SES::ConfigurationSetEventDestination',
  'AWS::SES::EmailIdentity',
  'AWS::KMS::Alias',
  'AWS::Backup::BackupVault',
  'AWS::Backup::BackupSelection',
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'AWS::CDK::Metadata',
  'AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolClient',
  'AWS::SSM::Parameter',
]);

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CloudFormationTemplate {
  Resources?: Record<string, Resource>;
}

export interface IdleCostLine {
  item: string;
  count: number;
  monthlyUsd: number;
  note?: string;
}

export interface IdleCost {
  lines: IdleCostLine[];
  totalUsd: number;
  /** Resource types counted as costing nothing while idle (billed per use). */
  perUseTypes: string[];
  /** Resource types this model does not know: check them by hand. */
  unknownTypes: string[];
  /** $ per GB-month of table size that the backup plans' retained copies cost at steady state. */
  backupUsdPerTableGbMonth: number;
}

/**
 * The monthly cost of the template's deployment with no traffic, its table holding `tableBytes` (item sizes plus
 * DynamoDB's 100-byte per-item overhead). CloudWatch's free tier (10 alarm metrics, 3 dashboards) is an account-wide
 * allowance: only the dashboards' is applied, as AWS applies it per dashboard count.
 */
export function idleMonthlyCost(template: CloudFormationTemplate, tableBytes: number): IdleCost {
  const resources = Object.values(template.Resources ?? {});
  const ofType = (type: string) => resources.filter((r) => r.Type === type);
  const lines: IdleCostLine[] = [];
  const add = (item: string, count: number, monthlyUsd: number, note?: string) => {
    if (count > 0) lines.push({ item, count, monthlyUsd, ...(note ? { note } : {}) });
  };
  const known = new Set<string>(PER_USE);

  const keys = ofType('AWS::KMS::Key');
  const rotating = keys.filter((k) => k.Properties?.EnableKeyRotation === true).length;
  add(
    'KMS customer managed keys',
    keys.length,
    keys.length * IDLE_PRICES.kmsKeyMonth,
    rotating ? `${rotating} rotating yearly: +$1/month per key after each of the first two rotations ($3/month from year 3)` : undefined,
  );
  known.add('AWS::KMS::Key');

  const secrets = ofType('AWS::SecretsManager::Secret');
  add('Secrets Manager secrets', secrets.length, secrets.length * IDLE_PRICES.secretMonth);
  known.add('AWS::SecretsManager::Secret');

  let standardMetrics = 0;
  let highResolutionMetrics = 0;
  const alarms = ofType('AWS::CloudWatch::Alarm');
  for (const alarm of alarms) {
    for (const period of alarmMetricPeriods(alarm.Properties ?? {})) {
      if (period < 60) highResolutionMetrics += 1;
      else standardMetrics += 1;
    }
  }
  add(
    'CloudWatch alarm metrics (standard)',
    standardMetrics,
    standardMetrics * IDLE_PRICES.alarmMetricMonth,
    `${alarms.length} alarms; a metric-math alarm is billed per metric it evaluates; an account's first 10 are free`,
  );
  add(
    'CloudWatch alarm metrics (high resolution)',
    highResolutionMetrics,
    highResolutionMetrics * IDLE_PRICES.alarmMetricHighResolutionMonth,
  );
  const composite = ofType('AWS::CloudWatch::CompositeAlarm').length;
  add('CloudWatch composite alarms', composite, composite * IDLE_PRICES.compositeAlarmMonth);
  const dashboards = ofType('AWS::CloudWatch::Dashboard').length;
  add(
    'CloudWatch dashboards',
    dashboards,
    Math.max(0, dashboards - IDLE_PRICES.freeDashboards) * IDLE_PRICES.dashboardMonth,
    `first ${IDLE_PRICES.freeDashboards} free`,
  );
  known.add('AWS::CloudWatch::Alarm').add('AWS::CloudWatch::CompositeAlarm').add('AWS::CloudWatch::Dashboard');

  const tables = ofType('AWS::DynamoDB::Table');
  const gb = tableBytes / GB;
  add('DynamoDB table storage', tables.length, tables.length * gb * IDLE_PRICES.tableStorageGbMonth, `${kib(tableBytes)} stored`);
  const pitr = tables.filter(
    (t) =>
      (t.Properties?.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean } | undefined)?.PointInTimeRecoveryEnabled,
  ).length;
  add('DynamoDB point-in-time recovery', pitr, pitr * gb * IDLE_PRICES.pitrGbMonth, `$${IDLE_PRICES.pitrGbMonth}/GB-month of table size`);
  known.add('AWS::DynamoDB::Table').add('AWS::DynamoDB::GlobalTable');

  const backupUsdPerTableGbMonth = ofType('AWS::Backup::BackupPlan').reduce((sum, plan) => sum + backupPlanUsdPerGbMonth(plan), 0);
  const plans = ofType('AWS::Backup::BackupPlan').length;
  add(
    'AWS Backup copies of the table',
    plans,
    gb * backupUsdPerTableGbMonth,
    `$${backupUsdPerTableGbMonth.toFixed(2)}/GB-month of table size: every retained backup is a full copy`,
  );
  known.add('AWS::Backup::BackupPlan');

  const hourly = (type: string, item: string, perHour: number, multiplier: (r: Resource) => number = () => 1) => {
    const found = ofType(type);
    const units = found.reduce((sum, r) => sum + multiplier(r), 0);
    add(item, found.length, units * perHour * HOURS_PER_MONTH);
    known.add(type);
  };
  hourly('AWS::EC2::NatGateway', 'NAT gateways', IDLE_PRICES.natGatewayHour);
  hourly('AWS::ElasticLoadBalancingV2::LoadBalancer', 'Load balancers', IDLE_PRICES.loadBalancerHour);
  const interfaceEndpoints = ofType('AWS::EC2::VPCEndpoint').filter((e) => e.Properties?.VpcEndpointType === 'Interface');
  add(
    'VPC interface endpoints',
    interfaceEndpoints.length,
    interfaceEndpoints.reduce((sum, e) => sum + Math.max(1, ((e.Properties?.SubnetIds as unknown[]) ?? []).length), 0) *
      IDLE_PRICES.interfaceEndpointHourPerAz *
      HOURS_PER_MONTH,
  );
  known.add('AWS::EC2::VPCEndpoint');
  const zones = ofType('AWS::Route53::HostedZone').length;
  add('Route 53 hosted zones', zones, zones * IDLE_PRICES.hostedZoneMonth);
  known.add('AWS::Route53::HostedZone');
  const advanced = ofType('AWS::SSM::Parameter').filter((p) => p.Properties?.Tier === 'Advanced').length;
  add('SSM advanced parameters', advanced, advanced * IDLE_PRICES.advancedParameterMonth);
  const provisioned = ofType('AWS::Lambda::Alias').filter((a) => a.Properties?.ProvisionedConcurrencyConfig).length;
  add('Lambda provisioned concurrency (not priced here)', provisioned, 0, 'bills by the hour: price it before deploying');
  known.add('AWS::Lambda::Alias').add('AWS::Lambda::Version');

  const types = new Set(resources.map((r) => r.Type));
  return {
    lines,
    totalUsd: lines.reduce((sum, l) => sum + l.monthlyUsd, 0),
    perUseTypes: [...types].filter((t) => PER_USE.has(t)).sort(),
    unknownTypes: [...types].filter((t) => !known.has(t)).sort(),
    backupUsdPerTableGbMonth,
  };
}

/** The periods of the metrics an alarm evaluates: one for a single-metric alarm, one per MetricStat for metric math. */
export function alarmMetricPeriods(properties: Record<string, unknown>): number[] {
  const metrics = properties.Metrics as Array<{ MetricStat?: { Period?: number }; Expression?: string }> | undefined;
  if (!metrics) return [Number(properties.Period ?? 300)];
  const periods = metrics.flatMap((m) => (m.MetricStat ? [Number(m.MetricStat.Period ?? 300)] : []));
  // An anomaly-detection band is billed as three metrics per metric it models.
  const bands = metrics.filter((m) => /ANOMALY_DETECTION_BAND/.test(m.Expression ?? '')).length;
  return [...periods, ...Array.from({ length: bands * 2 }, () => periods[0] ?? 300)];
}

/**
 * What a backup plan's retained copies cost per GB of table per month at steady state: each rule keeps
 * (days retained ÷ days between backups) full copies, warm until MoveToColdStorageAfterDays, cold after.
 */
export function backupPlanUsdPerGbMonth(plan: Resource): number {
  const rules =
    (plan.Properties?.BackupPlan as { BackupPlanRule?: Array<{ ScheduleExpression?: string; Lifecycle?: Record<string, number> }> })
      ?.BackupPlanRule ?? [];
  return rules.reduce((sum, rule) => {
    const interval = scheduleIntervalDays(rule.ScheduleExpression ?? 'cron(0 5 * * ? *)');
    const retained = rule.Lifecycle?.DeleteAfterDays ?? 35;
    const warmDays = Math.min(retained, rule.Lifecycle?.MoveToColdStorageAfterDays ?? retained);
    const coldDays = retained - warmDays;
    return sum + (warmDays / interval) * IDLE_PRICES.backupWarmGbMonth + (coldDays / interval) * IDLE_PRICES.backupColdGbMonth;
  }, 0);
}

/** Days between runs of a backup schedule: daily, weekly (day of week set) or monthly (day of month set). */
export function scheduleIntervalDays(expression: string): number {
  const fields = /^cron\((.*)\)$/.exec(expression.trim())?.[1]?.split(/\s+/);
  if (!fields) {
    const rate = /^rate\((\d+)\s+(hour|hours|day|days)\)$/.exec(expression.trim());
    if (!rate) return 1;
    return rate[2]?.startsWith('hour') ? Number(rate[1]) / 24 : Number(rate[1]);
  }
  const [, , dayOfMonth, month, dayOfWeek] = fields;
  if (month && month !== '*' && month !== '?') return 365 / month.split(',').length;
  if (dayOfMonth && dayOfMonth !== '*' && dayOfMonth !== '?') return 30 / dayOfMonth.split(',').length;
  if (dayOfWeek && dayOfWeek !== '*' && dayOfWeek !== '?') return 7 / dayOfWeek.split(',').length;
  return 1;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
