import { describe, expect, it } from 'vitest';
import {
  authorizationHold,
  authorizationRequirement,
  isAuthorizationHold,
  lapsedBeforeVisit,
  type PriorAuthorizationCase,
  recordAuthorization,
  visitDateOf,
} from '#model/prior-authorization.ts';

const AT = '2026-12-01T15:00:00.000Z';
const opened: PriorAuthorizationCase = {
  type: 'PriorAuthorization',
  clinicId: 'c',
  appointmentId: 'appt-1',
  patientId: 'p-1',
  payerId: '60054',
  requiredBy: 'payer-rule',
  request: {
    procedureCode: '73723',
    diagnosisCodes: ['M25.561'],
    appointmentTypeCode: 'MRI_KNEE_CONTRAST',
    serviceDate: '2026-12-10',
    locationId: 'boston',
  },
  status: 'OPEN',
  history: [{ at: AT, by: 'function:bookAppointment', status: 'OPEN' }],
  revision: 0,
  openedAt: AT,
  updatedAt: AT,
};
const approval = { authorizationNumber: 'A1', validFrom: '2026-12-01', validTo: '2026-12-31', units: 1 };

describe('Prior authorization: when a visit needs one', () => {
  const rules = [{ payerId: '60054', procedureCodes: ['73722', '73723'] }];
  it.each([
    ['the payer’s response says so', { payerId: '87726', procedureCode: '73721', payerSaysRequired: true }, 'payer-response'],
    [
      'the clinic’s list for the payer names the procedure',
      { payerId: '60054', procedureCode: '73723', payerSaysRequired: false },
      'payer-rule',
    ],
    ['another payer’s list names it', { payerId: '87726', procedureCode: '73723', payerSaysRequired: false }, undefined],
    ['the procedure is not on the list', { payerId: '60054', procedureCode: '73721', payerSaysRequired: false }, undefined],
    ['nobody pays but the patient', { payerId: undefined, procedureCode: '73723', payerSaysRequired: true }, undefined],
  ])('%s', (_case, input, expected) => {
    expect(authorizationRequirement({ ...input, rules })).toBe(expected);
  });
});

describe('Prior authorization: recording what the payer did', () => {
  it('submits, then approves: each a new revision with its history', () => {
    // Act
    const submitted = recordAuthorization(opened, { status: 'SUBMITTED', payerReference: 'REF-9' }, 'user:r', AT);
    if (submitted.kind !== 'APPLY') throw new Error(submitted.kind);
    const approved = recordAuthorization(submitted.next, { status: 'APPROVED', ...approval }, 'user:r', AT);

    // Assess
    expect(submitted.next).toMatchObject({ status: 'SUBMITTED', payerReference: 'REF-9', revision: 1 });
    expect(approved).toMatchObject({ kind: 'APPLY', next: { status: 'APPROVED', approval, revision: 2 } });
    if (approved.kind === 'APPLY') expect(approved.next.history.map((h) => h.status)).toEqual(['OPEN', 'SUBMITTED', 'APPROVED']);
  });

  it('answers the same record again with ALREADY, and a changed approval (an extension) with a new revision', () => {
    const approved = { ...opened, status: 'APPROVED' as const, approval };
    expect(recordAuthorization(approved, { status: 'APPROVED', ...approval }, 'user:r', AT)).toEqual({ kind: 'ALREADY' });
    expect(recordAuthorization(approved, { status: 'APPROVED', ...approval, validTo: '2027-01-31' }, 'user:r', AT)).toMatchObject({
      kind: 'APPLY',
      next: { approval: { validTo: '2027-01-31' } },
    });
  });

  it.each([
    ['pending before it was submitted', 'OPEN', { status: 'PENDING' as const }],
    ['a denial of an approved case', 'APPROVED', { status: 'DENIED' as const, denialReason: 'x' }],
    ['pending after a denial', 'DENIED', { status: 'PENDING' as const }],
  ] as const)('refuses %s', (_case, status, update) => {
    expect(recordAuthorization({ ...opened, status }, update, 'user:r', AT)).toMatchObject({ kind: 'ILLEGAL' });
  });

  it('records NOT_REQUIRED (the payer needs none, or the patient pays), which confirms the visit', () => {
    const done = recordAuthorization(
      { ...opened, status: 'DENIED', denialReason: 'x' },
      { status: 'NOT_REQUIRED', note: 'Patient pays' },
      'user:r',
      AT,
    );
    expect(done).toMatchObject({ kind: 'APPLY', next: { status: 'NOT_REQUIRED' } });
    if (done.kind === 'APPLY') expect(authorizationHold(done.next, '2026-12-10')).toBeUndefined();
  });

  it('treats the same record with the same note again as a repeat, not a second history entry', () => {
    const first = recordAuthorization(opened, { status: 'SUBMITTED', payerReference: 'R-1', note: 'faxed' }, 'user:r', AT);
    if (first.kind !== 'APPLY') throw new Error(first.kind);
    expect(recordAuthorization(first.next, { status: 'SUBMITTED', payerReference: 'R-1', note: 'faxed' }, 'user:r', AT)).toEqual({
      kind: 'ALREADY',
    });
  });

  it('refuses an approval that ends before it starts, and drops the approval when the case is denied on appeal', () => {
    expect(recordAuthorization(opened, { status: 'APPROVED', ...approval, validTo: '2026-11-01' }, 'user:r', AT)).toMatchObject({
      kind: 'ILLEGAL',
    });
    const denied = recordAuthorization(
      { ...opened, status: 'SUBMITTED', approval },
      { status: 'DENIED', denialReason: 'Not medically necessary' },
      'user:r',
      AT,
    );
    expect(denied).toMatchObject({ kind: 'APPLY', next: { status: 'DENIED', denialReason: 'Not medically necessary' } });
    if (denied.kind === 'APPLY') expect(denied.next).not.toHaveProperty('approval');
  });
});

describe('Prior authorization: whether the visit may be confirmed', () => {
  it('confirms only an approval whose dates cover the visit’s day', () => {
    expect(authorizationHold({ ...opened, status: 'APPROVED', approval }, '2026-12-10')).toBeUndefined();
    expect(authorizationHold({ ...opened, status: 'APPROVED', approval }, '2027-01-02')).toMatch(/valid 2026-12-01 to 2026-12-31/);
    for (const status of ['OPEN', 'SUBMITTED', 'PENDING', 'DENIED', 'EXPIRED'] as const) {
      expect(authorizationHold({ ...opened, status }, '2026-12-10')).toEqual(expect.any(String));
    }
  });

  it('tells an authorization hold from a hold of another kind by its words', () => {
    const holds = [
      authorizationHold({ ...opened, status: 'APPROVED', approval }, '2027-01-02'),
      ...(['OPEN', 'SUBMITTED', 'PENDING', 'DENIED', 'EXPIRED'] as const).map((status) =>
        authorizationHold({ ...opened, status }, '2026-12-10'),
      ),
    ];
    expect(holds.map(isAuthorizationHold)).toEqual(holds.map(() => true));
    expect(isAuthorizationHold('No open slot within 28 days for this appointment type')).toBe(false);
    expect(isAuthorizationHold('Prior authorization approved.')).toBe(false);
    expect(isAuthorizationHold(undefined)).toBe(false);
  });

  it('says an approval lapsed before a later visit, not before one it covers', () => {
    expect(lapsedBeforeVisit({ status: 'APPROVED', approval }, '2027-01-02')).toBe(true);
    expect(lapsedBeforeVisit({ status: 'APPROVED', approval }, '2026-12-31')).toBe(false);
    expect(lapsedBeforeVisit({ status: 'SUBMITTED' }, '2027-01-02')).toBe(false);
    // Moved before the approval's first day: it does not cover that either.
    expect(lapsedBeforeVisit({ status: 'APPROVED', approval }, '2026-11-30')).toBe(true);
  });

  it('takes the visit’s day where it happens, not in UTC', () => {
    expect(visitDateOf({ start: '2026-12-10T04:30:00.000Z', timeZone: 'America/Denver' })).toBe('2026-12-09');
  });
});
