/**
 * `npm run token -- <username>`: signs a demo staff user in against the running local stack (`npm start`) and prints
 * their ID token, the bearer token staff routes take. The password is DEMO_STAFF_PASSWORD or the one `npm start` keeps
 * in .local/demo-staff-password; the user pool's endpoint and client come from .local/state/staff-identity.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DEMO_STAFF } from '#contract/staff-roles.ts';
import { LOCAL_DATA_DIR } from '#local/demo-key.ts';
import { keptDemoStaffPassword, STAFF_IDENTITY_FILE, type StaffIdentityConfig, signIn } from '#local/staff-identity.ts';
import { LOCAL_REGION } from '#local/step-functions/definition.ts';

const username = process.argv[2];
if (!username) {
  console.error(`Usage: npm run token -- <username>   (demo staff: ${DEMO_STAFF.map((user) => user.username).join(', ')})`);
  process.exit(2);
}
const file = join(LOCAL_DATA_DIR, STAFF_IDENTITY_FILE);
if (!existsSync(file)) {
  console.error('No local staff sign-in found: start the local stack first (npm start).');
  process.exit(1);
}
const identity = JSON.parse(readFileSync(file, 'utf8')) as StaffIdentityConfig;
const idp = new CognitoIdentityProviderClient({
  endpoint: identity.endpoint,
  region: LOCAL_REGION,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const password = process.env.DEMO_STAFF_PASSWORD || keptDemoStaffPassword();
if (!password) {
  console.error('No demo staff password: set DEMO_STAFF_PASSWORD or start the local stack first (npm start).');
  process.exit(1);
}
try {
  process.stdout.write(`${await signIn(idp, identity.clientId, username, password)}\n`);
} catch (error) {
  console.error(`Could not sign ${username} in: ${(error as Error).name}: ${(error as Error).message} (is npm start running?)`);
  process.exit(1);
}
