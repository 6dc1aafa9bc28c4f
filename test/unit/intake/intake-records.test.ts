import { describe, expect, it } from 'vitest';
import { PathIdSchema } from '#contract/api/path-ids.ts';
import { IntakeSubmissionSchema } from '#contract/api/submission-schema.ts';
import {
  canonicalJson,
  coverageRecord,
  newPatientRecord,
  submissionBodyHash,
  submissionIdOf,
  submissionRecord,
} from '#functions/intake/intake-records.ts';
import { validSubmissionBody } from '#test/support/fixtures/submission.ts';
import { TEST_IDENTITY_KEY } from '#test/support/identity-key.ts';

const now = new Date('2026-11-27T10:00:00.000Z');
const parse = (overrides: Parameters<typeof validSubmissionBody>[0] = {}) => IntakeSubmissionSchema.parse(validSubmissionBody(overrides));

describe('Function: submissionBodyHash', () => {
  it('is the same for the same content in another key order or phone format', () => {
    const body = parse();
    const reordered = JSON.parse(canonicalJson(body)) as typeof body;

    expect(submissionBodyHash(reordered)).toBe(submissionBodyHash(body));
    expect(submissionBodyHash(parse({ contact: { phone: '+1 201 555 0123' } }))).toBe(submissionBodyHash(body));
  });

  it('differs when any answer differs', () => {
    expect(submissionBodyHash(parse({ screening: { fallInLast30Days: true } }))).not.toBe(submissionBodyHash(parse()));
  });

  it('sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });
});

describe('Function: submissionIdOf', () => {
  it('is keyed with the patient identity key: the same key under another deployment’s key is another ID', () => {
    expect(submissionIdOf('demo-clinic', 'body:abc', 'another-deployment-key')).not.toBe(
      submissionIdOf('demo-clinic', 'body:abc', TEST_IDENTITY_KEY),
    );
  });

  it('gives one key the same submission ID every time, as a version-8 UUID a path may carry', () => {
    // Act
    const id = submissionIdOf('demo-clinic', 'key:form-submit-0001', TEST_IDENTITY_KEY);

    // Assess
    expect(id).toBe(submissionIdOf('demo-clinic', 'key:form-submit-0001', TEST_IDENTITY_KEY));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(PathIdSchema.safeParse(id).success).toBe(true);
  });

  it('gives another key, or the same key at another clinic, another ID, and shows neither', () => {
    // Act
    const ids = [
      submissionIdOf('demo-clinic', 'key:form-submit-0001', TEST_IDENTITY_KEY),
      submissionIdOf('demo-clinic', 'key:form-submit-0002', TEST_IDENTITY_KEY),
      submissionIdOf('other-clinic', 'key:form-submit-0001', TEST_IDENTITY_KEY),
      submissionIdOf('demo-clinic', 'body:form-submit-0001', TEST_IDENTITY_KEY),
    ];

    // Assess
    expect(new Set(ids).size).toBe(4);
    expect(ids.join()).not.toMatch(/form|submit|demo/);
  });
});

describe('Function: intake records', () => {
  it('builds the patient from demographics and contact details', () => {
    const patient = newPatientRecord('clinic-1', 'p-1', parse(), now);

    expect(patient).toEqual({
      type: 'Patient',
      clinicId: 'clinic-1',
      patientId: 'p-1',
      firstName: 'Maria',
      lastName: 'García',
      birthDate: '1985-04-12',
      sex: 'female',
      preferredLanguage: 'es',
      email: 'maria.garcia@example.com',
      phone: '+12015550123',
      address: { line1: '12 Beacon St', line2: 'Apt 4', city: 'Boston', state: 'MA', postalCode: '02108' },
      communication: { email: true, sms: true },
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
  });

  it('makes the patient the subscriber when the patient holds the policy', () => {
    const coverage = coverageRecord('clinic-1', 'p-1', parse(), now);

    expect(coverage.subscriber).toEqual({ relationship: 'self', firstName: 'Maria', lastName: 'García', birthDate: '1985-04-12' });
    expect(coverage).toMatchObject({ payerId: '60054', payerName: 'Aetna', memberId: 'W123456789', groupNumber: 'GRP-100' });
  });

  it('keeps a named subscriber', () => {
    const subscriber = { relationship: 'spouse' as const, firstName: 'Luis', lastName: 'García', birthDate: '1980-01-31' };

    const coverage = coverageRecord('clinic-1', 'p-1', parse({ insurance: { subscriber } }), now);

    expect(coverage.subscriber).toEqual(subscriber);
  });

  it('keeps visit, answers and consents on the submission, and no demographics', () => {
    const record = submissionRecord('clinic-1', { submissionId: 's-1', journeyId: 'j-1', patientId: 'p-1' }, parse(), now);

    expect(record).toMatchObject({ type: 'Submission', submissionId: 's-1', journeyId: 'j-1', patientId: 'p-1', source: 'web-form' });
    expect(record.screening?.chestPainNow).toBe(false);
    expect(record.visit.physicianOrder?.orderingPhysicianNpi).toBe('1234567893');
    expect(JSON.stringify(record)).not.toContain('1985-04-12');
  });
});
