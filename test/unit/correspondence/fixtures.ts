import type { ClinicProfile } from '#model/clinic-catalog.ts';
import { type AppointmentSummary, type JourneyRecord, newJourneyRecord } from '#model/journey.ts';
import type { PatientRecord } from '#model/patient-records.ts';

/** 2026-03-03 14:30 UTC is 9:30 AM in New York (EST) and 6:30 AM in Los Angeles (PST). */
export const appointment: AppointmentSummary = {
  appointmentId: 'appt-123',
  appointmentType: 'MRI_KNEE',
  start: '2026-03-03T14:30:00.000Z',
  end: '2026-03-03T15:15:00.000Z',
  timeZone: 'America/New_York',
  location: { id: 'loc-1', name: 'Back Bay Clinic', address: '100 Boylston St, Boston, MA 02116' },
  department: { id: 'dep-1', name: 'Imaging' },
  provider: { id: 'res-1', name: 'Dana Lee, RT' },
  resource: { id: 'res-2', name: 'MRI Scanner 1' },
};

export const clinicProfile: ClinicProfile = {
  clinicId: 'c-1',
  name: 'Demo Health',
  npi: '1234567893',
  organizationName: 'Demo Health LLC',
  replyToEmail: 'front-desk@demo-clinic.example',
  phone: '+16175550100',
};

export const patient: PatientRecord = {
  type: 'Patient',
  clinicId: 'c-1',
  patientId: 'p-1',
  firstName: 'Jordan',
  lastName: 'Quintero',
  birthDate: '1984-07-09',
  email: 'jordan.quintero@example.com',
  phone: '+16175550123',
  address: { line1: '9 Elm St', city: 'Cambridge', state: 'MA', postalCode: '02139' },
  communication: { email: true, sms: false },
  createdAt: '2026-03-01T00:00:00.000Z',
  updatedAt: '2026-03-01T00:00:00.000Z',
};

/** What the submission said about the visit: must never appear in correspondence. */
export const clinicalDetails = ['MRI_KNEE', 'MRI', 'Knee pain after a fall', 'M25.561', 'ibuprofen'];
/** Identifying details beyond the first name: must never appear either. */
export const identifyingDetails = ['Quintero', '1984', '9 Elm St', '+16175550123', '555-0123', 'jordan.quintero@example.com'];

export function journeyWithAppointment(overrides: Partial<JourneyRecord> = {}): JourneyRecord {
  return {
    ...newJourneyRecord({ clinicId: 'c-1', journeyId: 'j-1', submissionId: 's-1', patientId: 'p-1' }, new Date('2026-03-01T12:00:00Z')),
    appointment,
    amounts: { currency: 'USD', dueCents: 4000 },
    ...overrides,
  };
}
