import type { IntakeSubmissionInput } from '#contract/api/submission-schema.ts';

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/**
 * A complete, valid intake body (an adult who is her own subscriber, for an MRI with a physician's order).
 * Pass overrides to change fields; nested objects are merged, arrays and scalars replaced.
 */
export function validSubmissionBody(overrides: DeepPartial<IntakeSubmissionInput> = {}): IntakeSubmissionInput {
  const base: IntakeSubmissionInput = {
    patient: {
      firstName: 'Maria',
      lastName: 'García',
      birthDate: '1985-04-12',
      sex: 'female',
      address: { line1: '12 Beacon St', line2: 'Apt 4', city: 'Boston', state: 'MA', postalCode: '02108' },
      preferredLanguage: 'es',
    },
    contact: { email: 'maria.garcia@example.com', phone: '(201) 555-0123', communication: { email: true, sms: true } },
    medicalHistory: { conditions: ['asthma'], medications: ['albuterol'], allergies: ['penicillin'] },
    screening: {
      chestPainNow: false,
      shortnessOfBreathNow: false,
      thoughtsOfSelfHarm: false,
      fallInLast30Days: false,
      pregnantOrMayBePregnant: false,
    },
    insurance: {
      payerId: '60054',
      payerName: 'Aetna',
      memberId: 'W123456789',
      groupNumber: 'GRP-100',
      subscriber: { relationship: 'self' },
    },
    visit: {
      appointmentTypeCode: 'MRI_KNEE',
      reasonForVisit: 'Knee pain after a fall while skiing',
      physicianOrder: { orderingPhysicianName: 'Dr. Alan Smith', orderingPhysicianNpi: '1234567893', diagnosisCodes: ['M25.561'] },
      preferences: { daysOfWeek: ['MON', 'WED'], timeOfDay: 'MORNING' },
    },
    consents: { treatment: true, privacyNotice: true, financialResponsibility: true },
    paymentMethodToken: 'pm_card_visa',
    source: 'web-form',
  };
  return merge(base, overrides) as IntakeSubmissionInput;
}

function merge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = merge(base[key], value);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
