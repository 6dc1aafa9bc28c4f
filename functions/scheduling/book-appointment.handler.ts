import { JourneyRefSchema } from '#contract/journey-workflow.ts';
import { taskHandler } from '#shared/handler.ts';
import { dynamoStores, systemClock, tableFromEnv } from '#shared/stores.ts';
import type { BookAppointmentDeps } from './book-appointment.ts';
import { bookAppointment } from './book-appointment.ts';
import { dynamoWaitlistStore } from './waitlist-store.ts';

/**
 * Journey task BookAppointment: books the earliest slot for the submission's appointment type and preferences, or
 * parks the stage for staff when the horizon holds none (book-appointment.ts). Safe to retry: the journey's existing
 * appointment is returned, never a second one.
 */
export function makeBookAppointment(deps: BookAppointmentDeps) {
  return taskHandler(JourneyRefSchema, (ref) => bookAppointment(deps, ref));
}

const table = tableFromEnv();
export const handler = makeBookAppointment({ ...dynamoStores(table), waitlist: dynamoWaitlistStore(table), now: systemClock });
