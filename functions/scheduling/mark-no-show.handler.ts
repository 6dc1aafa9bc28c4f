import * as z from 'zod';
import { PathIdSchema } from '#contract/api/path-ids.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import type { ChangeAppointmentDeps } from './change-appointment.ts';
import { markNoShow } from './no-show-check.ts';

/** What a no-show check's schedule hands the function: the appointment's IDs only. */
const NoShowCheckSchema = z.object({ clinicId: PathIdSchema, appointmentId: PathIdSchema });

/** Target of a visit's no-show check schedule (no-show-check.ts). A throw gets Lambda's retries, then the dead-letter queue. */
export function makeMarkNoShow(deps: ChangeAppointmentDeps) {
  return taskHandler(NoShowCheckSchema, async (check) => ({ outcome: await markNoShow(deps, check) }));
}

export const handler = makeMarkNoShow({ ...dynamoStores(tableFromEnv()), now: systemClock });
