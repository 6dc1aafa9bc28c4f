import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { freePort } from '#local/ports.ts';
import { startSesEmulator } from '#local/ses-emulator.ts';

/** Starts one DynamoDB Local (in memory) and one SES emulator for the project's test files; each file makes its own table. */
export default async function setup(project: TestProject) {
  const dynamodb = await startDynamoDbLocal({ port: await freePort() });
  const ses = await startSesEmulator({ port: await freePort() });
  project.provide('emulators', { dynamodb: dynamodb.endpoint, ses: ses.endpoint });
  return async () => {
    await Promise.all([dynamodb.stop(), ses.stop()]);
  };
}
