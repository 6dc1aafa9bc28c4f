import type { StaffAppointment } from '#contract/api/appointment-schema.ts';
import type { AppointmentRecord } from '#shared/appointment-store.ts';

/** An appointment as the API shows it to staff: the record, minus what only the store needs. */
export function appointmentView(record: AppointmentRecord): StaffAppointment {
  const { type: _type, clinicId: _clinic, resourceIds: _resources, bufferBeforeMinutes: _b, bufferAfterMinutes: _a, ...rest } = record;
  const { location, revision, history, ...view } = rest;
  return {
    ...view,
    location: { id: location.id, name: location.name },
    revision: revision ?? 0,
    history: history ?? [],
  };
}
