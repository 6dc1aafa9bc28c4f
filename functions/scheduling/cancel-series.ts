import type { CANCEL_REASONS, CANCELLED_BY } from '#contract/appointments.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { type ChangeActor, type ChangeAppointmentDeps, changeAppointment } from './change-appointment.ts';
import type { SeriesStore } from './series-store.ts';

export interface CancelSeriesDeps extends ChangeAppointmentDeps {
  series: SeriesStore;
}

/**
 * Cancels the rest of a series: each of its visits still booked that starts on or after `from` (a local date; default:
 * every visit still ahead), one cancellation each, as a person cancels one visit (its own transition, audit record and
 * event: the patient is told of each). Visits checked in, done or cancelled already are kept as they are.
 */
export async function cancelSeries(
  deps: CancelSeriesDeps,
  by: ChangeActor,
  seriesId: string,
  request: { from?: string; by: (typeof CANCELLED_BY)[number]; reason: (typeof CANCEL_REASONS)[number] },
): Promise<{ seriesId: string; cancelled: string[]; kept: string[] }> {
  const series = await deps.series.get(by.clinicId, seriesId);
  if (!series) throw HttpError.withMessage(404, 'Series not found');
  const now = deps.now();
  const cancelled: string[] = [];
  const kept: string[] = [];
  for (const appointmentId of series.appointmentIds) {
    const visit = await deps.appointments.getById(by.clinicId, appointmentId);
    const due =
      visit &&
      visit.status === 'BOOKED' &&
      Date.parse(visit.start) > now.getTime() &&
      (!request.from || visit.start.slice(0, 10) >= request.from);
    if (!due) {
      kept.push(appointmentId);
      continue;
    }
    await changeAppointment(deps, by, appointmentId, { change: 'cancel', by: request.by, reason: request.reason });
    cancelled.push(appointmentId);
  }
  return { seriesId, cancelled, kept };
}
