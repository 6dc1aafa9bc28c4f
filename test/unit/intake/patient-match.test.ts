import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { matchDisagreements, normaliseName, patientMatchHash } from '#model/patient-match.ts';
import { TEST_IDENTITY_KEY } from '#test/support/identity-key.ts';

describe('Function: patientMatchHash', () => {
  it('matches the same person despite case, accents, spacing and punctuation', () => {
    const first = patientMatchHash({ firstName: 'María José', lastName: "O'Brien-García", birthDate: '1985-04-12' }, TEST_IDENTITY_KEY);

    const second = patientMatchHash({ firstName: 'MARIA  JOSE', lastName: 'obrien garcia', birthDate: '1985-04-12' }, TEST_IDENTITY_KEY);

    expect(second).toBe(first);
    expect(normaliseName('  Zoë ')).toBe('zoe');
  });

  it('tells apart people with another birth date or name', () => {
    const maria = { firstName: 'Maria', lastName: 'Garcia', birthDate: '1985-04-12' };

    expect(patientMatchHash({ ...maria, birthDate: '1985-04-13' }, TEST_IDENTITY_KEY)).not.toBe(patientMatchHash(maria, TEST_IDENTITY_KEY));
    expect(patientMatchHash({ ...maria, firstName: 'Mario' }, TEST_IDENTITY_KEY)).not.toBe(patientMatchHash(maria, TEST_IDENTITY_KEY));
  });

  it('is keyed: another deployment’s key gives another hash, and no bare hash of the name and birth date gives it', () => {
    const maria = { firstName: 'Maria', lastName: 'Garcia', birthDate: '1985-04-12' };
    const bare = (material: string) => createHash('sha256').update(material, 'utf8').digest('hex');

    const ours = patientMatchHash(maria, TEST_IDENTITY_KEY);

    expect(patientMatchHash(maria, 'another-deployment-key')).not.toBe(ours);
    expect(ours).toBe(createHmac('sha256', TEST_IDENTITY_KEY).update('patient-match|maria|garcia|1985-04-12', 'utf8').digest('hex'));
    for (const material of ['maria|garcia|1985-04-12', 'patient-match|maria|garcia|1985-04-12']) expect(bare(material)).not.toBe(ours);
  });
});

describe('Function: matchDisagreements', () => {
  const stored = {
    email: 'Maria.Garcia@example.com',
    phone: '+12015550123',
    address: { line1: '12 Main  St', postalCode: '02118' },
    insurance: { payerId: '60054', memberId: 'W123' },
  };

  it('finds none when the details agree, however written (email case, spacing, ZIP+4, member ID case)', () => {
    expect(
      matchDisagreements(stored, {
        email: 'maria.garcia@EXAMPLE.com',
        phone: '+12015550123',
        address: { line1: '12 main st', postalCode: '02118-1234' },
        insurance: { payerId: '60054', memberId: 'w123' },
      }),
    ).toEqual([]);
  });

  it('names each field that disagrees, and counts nothing either side left out', () => {
    expect(
      matchDisagreements(stored, {
        email: 'someone.else@example.com',
        phone: '+12015550199',
        address: { line1: '9 Elm St', postalCode: '02118' },
        insurance: { payerId: '60054', memberId: 'OTHER' },
      }),
    ).toEqual(['email', 'phone', 'address', 'insurance']);
    expect(matchDisagreements({ phone: '+12015550123' }, { email: 'new@example.com', phone: '+12015550123' })).toEqual([]);
  });
});
