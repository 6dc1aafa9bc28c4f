import { describe, expect, it } from 'vitest';
import { IntakeSubmissionSchema, isValidNpi, SCREENING_QUESTIONS } from '#contract/api/submission-schema.ts';
import { RED_FLAGS } from '#model/triage.ts';
import { HttpError } from '#shared/http/http-error.ts';
import { validateBody } from '#shared/http/parse-json-body.ts';
import { validSubmissionBody } from '#test/support/fixtures/submission.ts';

/** The field errors a body gets (through the same mapping the API uses), or [] when it is valid. */
function problems(body: unknown) {
  try {
    validateBody(IntakeSubmissionSchema, body);
    return [];
  } catch (error) {
    if (error instanceof HttpError && 'errors' in error.body) return error.body.errors;
    throw error;
  }
}

const paths = (body: unknown) => problems(body).map((p) => p.path);

/** A valid body changed by a mutation, for deletions and wrong types the builder cannot express. */
// biome-ignore lint/suspicious/noExplicitAny: the point is to build bodies the types forbid.
type AnyBody = Record<string, any>;
function withChange(change: (body: AnyBody) => void) {
  const body = structuredClone(validSubmissionBody()) as AnyBody;
  change(body);
  return body;
}

describe('Schema: IntakeSubmission', () => {
  it('accepts a complete body and normalises it', () => {
    // Prepare
    const body = validSubmissionBody({ patient: { firstName: '  Maria ' }, contact: { phone: '201.555.0123' } });
    delete (body as Record<string, unknown>).source;

    // Act
    const parsed = validateBody(IntakeSubmissionSchema, body);

    // Assess
    expect(parsed.patient.firstName).toBe('Maria');
    expect(parsed.contact.phone).toBe('+12015550123');
    expect(parsed.source).toBe('web-form');
    expect(parsed.screening).toEqual(validSubmissionBody().screening);
  });

  it('accepts a minimal body: no optional sections, email only, no preferences', () => {
    const body = withChange((b) => {
      delete b.medicalHistory;
      delete b.paymentMethodToken;
      delete b.contact.phone;
      b.contact.communication = { email: true, sms: false };
      delete b.insurance.groupNumber;
      b.visit = { appointmentTypeCode: 'PRIMARY_CARE_NEW' };
      delete b.patient.sex;
      delete b.patient.preferredLanguage;
    });

    const parsed = validateBody(IntakeSubmissionSchema, body);

    expect(parsed.visit.preferences).toEqual({});
    expect(parsed.contact.phone).toBeUndefined();
  });

  it('reports every invalid field at once, each with its dotted path', () => {
    // Prepare: one problem in each section
    const body = validSubmissionBody({
      patient: { birthDate: '2999-01-01', address: { state: 'XX' as never, postalCode: '0210' } },
      contact: { email: 'not-an-email' },
      medicalHistory: { allergies: ['penicillin', ''] },
      insurance: { memberId: 'W123 456!' },
      visit: { appointmentTypeCode: 'mri knee', preferences: { daysOfWeek: ['MON', 'MON'], earliestDate: '2026-02-30' } },
      consents: { privacyNotice: false as never },
      paymentMethodToken: '4242424242424242',
    });

    // Act
    const result = paths(body);

    // Assess
    expect(result.sort()).toEqual(
      [
        'patient.birthDate',
        'patient.address.state',
        'patient.address.postalCode',
        'contact.email',
        'medicalHistory.allergies.1',
        'insurance.memberId',
        'visit.appointmentTypeCode',
        'visit.preferences.daysOfWeek',
        'visit.preferences.earliestDate',
        'consents.privacyNotice',
        'paymentMethodToken',
      ].sort(),
    );
  });

  it('says which required fields are missing', () => {
    const body = withChange((b) => {
      delete b.patient.lastName;
      delete b.screening.thoughtsOfSelfHarm;
      delete b.insurance;
    });

    expect(problems(body)).toEqual(
      expect.arrayContaining([
        { path: 'patient.lastName', message: 'is required' },
        { path: 'screening.thoughtsOfSelfHarm', message: 'is required' },
        { path: 'insurance', message: 'is required' },
      ]),
    );
  });

  it('rejects unknown fields at every level, one error per field', () => {
    const body = withChange((b) => {
      b.ssn = '123-45-6789';
      b.patient.middleName = 'Ana';
      b.screening.feelingLucky = true;
    });

    expect(problems(body)).toEqual([
      { path: 'patient.middleName', message: 'Unknown field' },
      { path: 'screening.feelingLucky', message: 'Unknown field' },
      { path: 'ssn', message: 'Unknown field' },
    ]);
  });

  it('rejects a birth date in the future, implausibly long ago, or not on the calendar', () => {
    const future = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const oldest = `${new Date().getUTCFullYear() - 131}-01-01`;

    expect(problems(validSubmissionBody({ patient: { birthDate: future } }))).toEqual([
      { path: 'patient.birthDate', message: 'must not be in the future' },
    ]);
    expect(problems(validSubmissionBody({ patient: { birthDate: oldest } }))).toEqual([
      { path: 'patient.birthDate', message: 'must be within the last 130 years' },
    ]);
    expect(problems(validSubmissionBody({ patient: { birthDate: '1985-02-29' } }))).toEqual([
      { path: 'patient.birthDate', message: 'use a real date as YYYY-MM-DD' },
    ]);
    expect(problems(validSubmissionBody({ patient: { birthDate: '04/12/1985' } }))).toHaveLength(1);
  });

  it('accepts a baby born today', () => {
    const today = new Date().toISOString().slice(0, 10);

    expect(problems(validSubmissionBody({ patient: { birthDate: today } }))).toEqual([]);
  });

  it('rejects names with digits or symbols and overlong strings', () => {
    const body = validSubmissionBody({
      patient: { firstName: 'R2D2', lastName: 'x'.repeat(101) },
      visit: { reasonForVisit: 'a'.repeat(501) },
    });

    expect(paths(body).sort()).toEqual(['patient.firstName', 'patient.lastName', 'visit.reasonForVisit']);
  });

  it('accepts names with accents, apostrophes, hyphens and spaces', () => {
    const body = validSubmissionBody({ patient: { firstName: 'Zoë-Anne', lastName: "O'Brien de la Peña" } });

    expect(problems(body)).toEqual([]);
  });

  it('bounds the medical history lists', () => {
    const body = validSubmissionBody({ medicalHistory: { conditions: Array.from({ length: 51 }, (_, i) => `condition ${i}`) } });

    expect(paths(body)).toEqual(['medicalHistory.conditions']);
  });
});

describe('Schema: contact details', () => {
  it.each([
    ['(201) 555-0123', '+12015550123'],
    ['201-555-0123', '+12015550123'],
    ['+1 201 555 0123', '+12015550123'],
    ['1 (201) 555-0123', '+12015550123'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('normalises %s to %s', (input, e164) => {
    const parsed = validateBody(IntakeSubmissionSchema, validSubmissionBody({ contact: { phone: input } }));

    expect(parsed.contact.phone).toBe(e164);
  });

  it.each(['123', '555-0123', '+1 123 456 7890', 'call me'])('rejects %s', (input) => {
    expect(problems(validSubmissionBody({ contact: { phone: input } }))).toEqual([
      { path: 'contact.phone', message: 'must be a valid phone number' },
    ]);
  });

  it('requires an email or a phone number', () => {
    const body = withChange((b) => {
      b.contact = { communication: { email: false, sms: false } };
    });

    expect(problems(body)).toEqual([{ path: 'contact.email', message: 'give an email address or a phone number' }]);
  });

  it('refuses consent to a channel without its address', () => {
    const body = withChange((b) => {
      delete b.contact.phone;
      b.contact.communication = { email: true, sms: true };
    });

    expect(problems(body)).toEqual([{ path: 'contact.communication.sms', message: 'text-message consent needs a phone number' }]);
  });
});

describe('Schema: insurance subscriber', () => {
  it('takes no subscriber details when the patient holds the policy', () => {
    const body = validSubmissionBody({ insurance: { subscriber: { relationship: 'self', firstName: 'Maria' } as never } });

    expect(problems(body)).toEqual([{ path: 'insurance.subscriber.firstName', message: 'Unknown field' }]);
  });

  it('requires the policy holder when it is someone else', () => {
    const body = validSubmissionBody({ insurance: { subscriber: { relationship: 'spouse' } as never } });

    expect(paths(body).sort()).toEqual([
      'insurance.subscriber.birthDate',
      'insurance.subscriber.firstName',
      'insurance.subscriber.lastName',
    ]);
  });

  it('accepts a named policy holder', () => {
    const subscriber = { relationship: 'child' as const, firstName: 'Luis', lastName: 'García', birthDate: '1960-01-31' };

    const parsed = validateBody(IntakeSubmissionSchema, validSubmissionBody({ insurance: { subscriber } }));

    expect(parsed.insurance.subscriber).toEqual(subscriber);
  });

  it('rejects an unknown relationship', () => {
    const body = validSubmissionBody({ insurance: { subscriber: { relationship: 'boss' } as never } });

    expect(paths(body)).toEqual(['insurance.subscriber.relationship']);
  });
});

describe('Schema: physician order', () => {
  it.each([
    ['1234567893', true],
    ['1245319599', true],
    ['1234567890', false],
    ['123456789', false],
    ['12345678931', false],
    ['123456789A', false],
  ])('isValidNpi(%s) is %s', (npi, valid) => {
    expect(isValidNpi(npi)).toBe(valid);
  });

  it('reports an NPI that fails the check digit', () => {
    const body = validSubmissionBody({ visit: { physicianOrder: { orderingPhysicianNpi: '1234567890' } } });

    expect(problems(body)).toEqual([{ path: 'visit.physicianOrder.orderingPhysicianNpi', message: 'is not a valid NPI (check digit)' }]);
  });

  it('reports an NPI of the wrong length once', () => {
    const body = validSubmissionBody({ visit: { physicianOrder: { orderingPhysicianNpi: '12345' } } });

    expect(problems(body)).toEqual([{ path: 'visit.physicianOrder.orderingPhysicianNpi', message: 'must be 10 digits' }]);
  });
});

describe('Schema: consents and screening', () => {
  it('requires every consent to be accepted', () => {
    const body = validSubmissionBody({ consents: { treatment: false, privacyNotice: false, financialResponsibility: false } as never });

    expect(problems(body)).toEqual([
      { path: 'consents.treatment', message: 'must be accepted' },
      { path: 'consents.privacyNotice', message: 'must be accepted' },
      { path: 'consents.financialResponsibility', message: 'must be accepted' },
    ]);
  });

  it('asks every question triage screens for', () => {
    expect([...SCREENING_QUESTIONS].sort()).toEqual(Object.keys(RED_FLAGS).sort());
  });

  it('rejects an answer that is not a boolean', () => {
    const body = validSubmissionBody({ screening: { chestPainNow: 'no' as never } });

    expect(paths(body)).toEqual(['screening.chestPainNow']);
  });
});
