import { describe, expect, it } from 'vitest';
import { normaliseName, patientMatchHash } from '#model/patient-match.ts';

describe('Function: patientMatchHash', () => {
  it('matches the same person despite case, accents, spacing and punctuation', () => {
    const first = patientMatchHash({ firstName: 'María José', lastName: "O'Brien-García", birthDate: '1985-04-12' });

    const second = patientMatchHash({ firstName: 'MARIA  JOSE', lastName: 'obrien garcia', birthDate: '1985-04-12' });

    expect(second).toBe(first);
    expect(normaliseName('  Zoë ')).toBe('zoe');
  });

  it('tells apart people with another birth date or name', () => {
    const maria = { firstName: 'Maria', lastName: 'Garcia', birthDate: '1985-04-12' };

    expect(patientMatchHash({ ...maria, birthDate: '1985-04-13' })).not.toBe(patientMatchHash(maria));
    expect(patientMatchHash({ ...maria, firstName: 'Mario' })).not.toBe(patientMatchHash(maria));
  });
});
