import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { addNagChecks, nagFindings } from '#infra/nag.ts';
import { synthStack } from './synth-stack.ts';

// One synth for the whole file.
const { app } = synthStack();

/** Every acknowledgement in the tree, with the construct it was made on. */
function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason })),
        ),
    );
}

describe('Rule packs: AWS Solutions, HIPAA Security, Serverless', () => {
  it('report no unacknowledged finding on the stack', () => {
    // Act
    const findings = nagFindings(app).flatMap((f) => f.violatingResources.map((r) => `${f.ruleName} at ${r.constructPath}`));

    // Assess
    expect(findings).toEqual([]);
  });

  it('give every acknowledgement a reason that explains it', () => {
    // Act
    const acks = acknowledgements(app);

    // Assess
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(60);
  });

  it('fail the synth when a finding is not acknowledged', () => {
    // Prepare: a topic that allows publishing without TLS (AwsSolutions-SNS3) and has no acknowledgement.
    const unsafeApp = new App();
    new sns.Topic(new Stack(unsafeApp, 'Unsafe'), 'Topic');
    addNagChecks(unsafeApp);

    // Act & assess
    expect(() => unsafeApp.synth()).toThrow(/AwsSolutions-SNS3/);
  });
});
