import { clockNow } from '#contract/clock.ts';
import { type AppointmentStore, dynamoAppointmentStore } from './appointment-store.ts';
import { type AuditLog, dynamoAuditLog } from './audit-store.ts';
import { dynamo } from './aws/dynamodb-client.ts';
import { type CatalogStore, cachedCatalogStore, dynamoCatalogStore } from './catalog-store.ts';
import { dynamoEligibilityChecks, type EligibilityChecks } from './eligibility-check-store.ts';
import { requireEnv } from './env.ts';
import { dynamoJourneyStore, type JourneyStore } from './journey-store.ts';
import { dynamoPatientStore, type PatientStore } from './patient-store.ts';
import { dynamoPriorAuthorizations, type PriorAuthorizations } from './prior-authorization-store.ts';
import { dynamoStaffTaskStore, type StaffTaskStore } from './staff-task-store.ts';
import { dynamoSubmissionStore, type SubmissionStore } from './submission-store.ts';
import type { TableRef } from './table.ts';

/** The stores of the records every stage shares. A use case's deps pick the ones it needs (`Pick<SharedStores, …>`). */
export interface SharedStores {
  journeys: JourneyStore;
  tasks: StaffTaskStore;
  appointments: AppointmentStore;
  submissions: SubmissionStore;
  patients: PatientStore;
  catalog: CatalogStore;
  audit: AuditLog;
  /** A journey's last eligibility check, as the eligibility stage wrote it (read by staff views). */
  eligibilityChecks: EligibilityChecks;
  /** Visits' prior-authorization cases (scheduling opens them, staff work them, re-checks reopen lapsed ones). */
  authorizations: PriorAuthorizations;
}

/** How long a warm function keeps a clinic's catalog: an edit of the clinic's offer reaches every function within it. */
export const CATALOG_CACHE_MS = 60_000;

/** Every shared store over one table: what a handler's wiring spreads into its deps. */
export function dynamoStores(table: TableRef, now: () => Date = systemClock): SharedStores {
  return {
    journeys: dynamoJourneyStore(table),
    tasks: dynamoStaffTaskStore(table),
    appointments: dynamoAppointmentStore(table),
    submissions: dynamoSubmissionStore(table),
    patients: dynamoPatientStore(table),
    catalog: cachedCatalogStore(dynamoCatalogStore(table), { ttlMs: CATALOG_CACHE_MS, now }),
    audit: dynamoAuditLog(table),
    eligibilityChecks: dynamoEligibilityChecks(table),
    authorizations: dynamoPriorAuthorizations(table),
  };
}

/** The deployed table, as the function's environment names it. */
export function tableFromEnv(): TableRef {
  return { client: dynamo, tableName: requireEnv('tableName') };
}

/** The one clock (contract/clock.ts): the system's deployed, the local cloud's locally; tests pass their own `now`. */
export const systemClock = (): Date => clockNow();
