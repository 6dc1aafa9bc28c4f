import { describe, expect, it } from 'vitest';
import { APPOINTMENT_EVENT_RULES, APPOINTMENT_STREAM_DELIVERY, APPOINTMENT_STREAM_FILTER } from '#contract/appointment-events.ts';
import type { FunctionName } from '#contract/function-catalog.ts';
import { synthStack } from './synth-stack.ts';

const { stack, template } = synthStack();
type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
const resources = template.toJSON().Resources as Record<string, Resource>;
const events = stack.appointmentEvents;
const keyArn = stack.resolve(stack.data.key.keyArn);
const streamArn = stack.resolve(stack.data.table.tableStreamArn);
const busArn = stack.resolve(events.bus.eventBusArn);
const deadLetterArn = stack.resolve(events.deadLetterQueue.queueArn);
const functionRef = (name: FunctionName) => stack.resolve(stack.functions.byName[name].functionName);
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

function statementsOf(name: FunctionName): Statement[] {
  const role = stack.resolve(stack.functions.byName[name].role?.roleName);
  return ofType('AWS::IAM::Policy')
    .filter((r) => JSON.stringify(r.Properties.Roles) === JSON.stringify([role]))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe('Construct: AppointmentEvents', () => {
  it('encrypts the event bus with the stack key', () => {
    const [bus] = ofType('AWS::Events::EventBus');
    expect(bus?.Properties.KmsKeyIdentifier).toEqual(keyArn);
  });

  it('feeds the publisher the stream, filtered to appointment writes, reporting item failures and dead-lettering what still fails', () => {
    const mapping = ofType('AWS::Lambda::EventSourceMapping').find(
      (r) => JSON.stringify(r.Properties.FunctionName) === JSON.stringify(functionRef('publishAppointmentEvents')),
    );
    expect(mapping?.Properties).toMatchObject({
      EventSourceArn: streamArn,
      BatchSize: APPOINTMENT_STREAM_DELIVERY.batchSize,
      MaximumRetryAttempts: APPOINTMENT_STREAM_DELIVERY.retryAttempts,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: deadLetterArn } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(APPOINTMENT_STREAM_FILTER) }] },
    });
  });

  it('lets the publisher read the stream and put events on the bus, and nothing of the table’s items', () => {
    const allowed = statementsOf('publishAppointmentEvents').filter((s) => s.Effect === 'Allow');
    const dynamo = allowed.filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => s.Resource)).toEqual([streamArn]);
    expect(allowed).toContainEqual(expect.objectContaining({ Action: 'events:PutEvents', Resource: busArn }));
    expect(allowed.flatMap(actions).filter((a) => a.startsWith('dynamodb:') && /Item|Query|Scan/.test(a))).toEqual([]);
  });

  it.each(APPOINTMENT_EVENT_RULES.map((rule) => [rule.name, rule] as const))(
    'routes %s from the bus through an encrypted queue to its function',
    (_, rule) => {
      const found = ofType('AWS::Events::Rule').filter(
        (r) => JSON.stringify(r.Properties.EventBusName) === JSON.stringify(stack.resolve(events.bus.eventBusName)),
      );
      // Two rules may share a pattern (CheckBookedTime, WatchForNoShow): the one whose queue feeds this rule's function.
      const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(
        (r) => JSON.stringify(r.Properties.FunctionName) === JSON.stringify(functionRef(rule.target)),
      );
      const targetOf = (r: (typeof found)[number]) =>
        (r.Properties.Targets as Array<{ Arn: { 'Fn::GetAtt': [string, string] }; DeadLetterConfig: { Arn: unknown } }>)[0];
      const ruleResource = found.find(
        (r) =>
          JSON.stringify(r.Properties.EventPattern) === JSON.stringify(rule.pattern) &&
          mappings.some((m) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(targetOf(r)?.Arn)),
      );
      if (!ruleResource) throw new Error(`No rule on the bus with ${rule.name}'s pattern and target`);
      const target = targetOf(ruleResource);
      if (!target) throw new Error(`${rule.name} has no target`);
      expect(target.DeadLetterConfig.Arn).toEqual(deadLetterArn);
      const queueMapping = mappings.find((m) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(target.Arn));
      expect(queueMapping?.Properties).toMatchObject({ EventSourceArn: target.Arn, BatchSize: 1 });
      const queueId = target.Arn['Fn::GetAtt'][0];
      expect(resources[queueId]?.Properties).toMatchObject({
        KmsMasterKeyId: keyArn,
        RedrivePolicy: { deadLetterTargetArn: deadLetterArn },
      });
    },
  );
});
