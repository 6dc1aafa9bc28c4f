import { describe, expect, it } from 'vitest';
import { type Import, importsOf, layerViolation, stagesIn } from '#test/support/import-layers.ts';

const stages = stagesIn('.');
const violations = (imports: Import[]) =>
  imports.flatMap((i) => {
    const why = layerViolation(i, stages);
    return why ? [`${i.from} → ${i.to}: ${why}`] : [];
  });

describe('Architecture: imports point one way (README.md, "Layout")', () => {
  it('finds the imports of the tree, aliases resolved', () => {
    // Act
    const imports = importsOf('.', ['contract', 'functions', 'infra', 'local']);

    // Assess: a known import of each kind, so an empty or unresolved scan cannot pass the next test.
    expect(imports).toContainEqual({ from: 'functions/shared/handler.ts', to: 'functions/shared/errors.ts', typeOnly: false });
    expect(imports).toContainEqual(
      expect.objectContaining({ from: 'infra/constructs/patient-access-functions.ts', to: 'contract/function-catalog.ts' }),
    );
    expect(imports.filter((i) => i.typeOnly).length).toBeGreaterThan(10);
    expect(stages).toEqual(expect.arrayContaining(['intake', 'eligibility', 'scheduling', 'payment', 'correspondence', 'journey', 'api']));
  });

  it('has no import that breaks a layer rule', () => {
    expect(violations(importsOf('.', ['contract', 'functions', 'infra', 'local']))).toEqual([]);
  });

  it.each<[string, Import]>([
    ['contract importing the kernel', { from: 'contract/api/openapi.ts', to: 'functions/shared/http/response.ts', typeOnly: false }],
    ['deployed code importing the CDK app', { from: 'functions/shared/env.ts', to: 'infra/config.ts', typeOnly: false }],
    ['the model importing the kernel', { from: 'functions/model/journey.ts', to: 'functions/shared/table.ts', typeOnly: true }],
    ['the model importing the AWS SDK', { from: 'functions/model/journey.ts', to: '@aws-sdk/lib-dynamodb', typeOnly: false }],
    ['the kernel importing a stage', { from: 'functions/shared/stores.ts', to: 'functions/payment/payment-store.ts', typeOnly: false }],
    [
      'a stage importing another stage',
      { from: 'functions/payment/collect-payment.ts', to: 'functions/journey/park-for-staff.ts', typeOnly: true },
    ],
    ['the CDK app importing a handler', { from: 'infra/app.ts', to: 'functions/journey/get-journey.handler.ts', typeOnly: false }],
    ['a use case importing the AWS SDK', { from: 'functions/payment/collect-payment.ts', to: '@aws-sdk/lib-dynamodb', typeOnly: false }],
    [
      'a use case loading a store',
      { from: 'functions/intake/screen-intake.ts', to: 'functions/shared/staff-task-store.ts', typeOnly: false },
    ],
    [
      'a use case loading an SDK client',
      { from: 'functions/intake/screen-intake.ts', to: 'functions/shared/aws/sns-client.ts', typeOnly: false },
    ],
  ])('refuses %s', (_case, imported) => {
    expect(layerViolation(imported, stages)).toEqual(expect.any(String));
  });

  it.each<[string, Import]>([
    [
      'a use case taking a store type',
      { from: 'functions/intake/screen-intake.ts', to: 'functions/shared/staff-task-store.ts', typeOnly: true },
    ],
    [
      'a handler wiring adapters',
      { from: 'functions/payment/collect-payment.handler.ts', to: 'functions/shared/aws/dynamodb-client.ts', typeOnly: false },
    ],
    [
      'a stage using the kernel and the model',
      { from: 'functions/payment/collect-payment.ts', to: 'functions/model/patient-share.ts', typeOnly: false },
    ],
    ['the local cloud running handlers', { from: 'local/cloud.ts', to: 'functions/shared/keys.ts', typeOnly: false }],
  ])('allows %s', (_case, imported) => {
    expect(layerViolation(imported, stages)).toBeUndefined();
  });
});
