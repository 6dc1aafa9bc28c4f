/**
 * Onboards a clinic into a deployed stack (or the local cloud): validates its catalog, writes it, and optionally
 * issues an API key, printed once (only its hash is stored).
 *
 *   npm run clinic -- --print-demo > my-clinic.json          # a starting point: the demo clinic's catalog
 *   TABLE_NAME=<stack output TableName> npm run clinic -- my-clinic.json --issue-api-key front-desk-2026
 *
 * Loading a clinic again (a new appointment type, say) keeps the closures, time off and weekly hours admins have changed
 * through the API since, and says so; `--replace-calendar` makes the file's win.
 *
 * Uses the standard AWS credentials and region of the shell (AWS_PROFILE, AWS_REGION, …).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoApiKeyStore } from '#functions/api/api-key-store.ts';
import { demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import { ClinicCatalogSchema } from '#model/clinic-catalog-schema.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import { newApiKey } from '#shared/http/api-key.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'print-demo': { type: 'boolean' }, 'issue-api-key': { type: 'string' }, 'replace-calendar': { type: 'boolean' } },
});

if (values['print-demo']) {
  console.log(JSON.stringify(demoClinicCatalog, null, 2));
  process.exit(0);
}
const [file] = positionals;
const tableName = process.env.TABLE_NAME;
if (!file || !tableName) {
  console.error(
    'usage: TABLE_NAME=<table> npm run clinic -- <catalog.json> [--issue-api-key <keyId>] [--replace-calendar]   (or --print-demo)',
  );
  process.exit(2);
}

const parsed = ClinicCatalogSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(`${issue.path.join('.') || '(catalog)'}: ${issue.message}`);
  process.exit(1);
}
const catalog = parsed.data;
const table = { client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName };
const kept = await dynamoCatalogStore(table).put(catalog, { calendar: values['replace-calendar'] ? 'replace' : 'keep' });
console.log(
  `Loaded ${catalog.profile.clinicId}: ${catalog.locations.length} locations, ${catalog.resources.length} resources, ${catalog.appointmentTypes.length} appointment types.`,
);
if (kept.calendarKept) console.log("Kept the closures and time off admins have changed through the API (the file's: --replace-calendar).");
if (kept.hoursKept.length > 0)
  console.log(`Kept the weekly hours admins have changed for ${kept.hoursKept.join(', ')} (the file's: --replace-calendar).`);

const keyId = values['issue-api-key'];
if (keyId) {
  const apiKey = newApiKey();
  await dynamoApiKeyStore(table).store(catalog.profile.clinicId, apiKey, keyId, new Date().toISOString());
  console.log(`API key ${keyId} for ${catalog.profile.clinicId} (shown once; only its hash is stored):\n${apiKey}`);
}
