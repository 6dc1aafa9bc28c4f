import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { JourneyExecutionInput } from '#contract/journey-workflow.ts';
import type { JourneyStarter } from './journey-starter-port.ts';

/**
 * Step Functions adapter. The execution name is the journeyId, so a journey has at most one execution: calling this
 * again (a client retry after a crash between the write and the start) either starts the missing execution or finds
 * it. The input carries IDs only (PHI stays out of the execution history).
 */
export function sfnJourneyStarter(client: SFNClient, stateMachineArn: string): JourneyStarter {
  return {
    async start({ clinicId, journeyId }) {
      try {
        const input: JourneyExecutionInput = { clinicId, journeyId, resume: { action: 'START' } };
        await client.send(new StartExecutionCommand({ stateMachineArn, name: journeyId, input: JSON.stringify(input) }));
      } catch (error) {
        if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') return;
        throw error;
      }
    },
  };
}
