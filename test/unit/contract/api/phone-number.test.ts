import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePhone } from '#contract/api/phone-number.ts';
import { PHONE_COUNTRIES, phoneMetadataFor } from '#scripts/phone-metadata.ts';

describe('Phone numbers: metadata sized to the clinic', () => {
  it('is committed exactly as cut from the installed libphonenumber-js (run `npm run phone-metadata` after updating it)', () => {
    const committed: unknown = JSON.parse(readFileSync('contract/api/phone-metadata.json', 'utf8'));

    expect(committed).toEqual(phoneMetadataFor(PHONE_COUNTRIES));
  });

  it.each([
    ['(787) 234-5678', 'PR', '+17872345678'],
    ['671 472 1234', 'GU', '+16714721234'],
    ['(201) 555-0123', 'US', '+12015550123'],
    ['+44 20 7946 0958', 'GB', '+442079460958'],
    ['+1 416 234 5678', 'CA', '+14162345678'],
  ])('validates %s as a number of %s, digit by digit', (input, country, e164) => {
    const phone = parsePhone(input);

    expect(phone?.isValid()).toBe(true);
    expect(phone?.country).toBe(country);
    expect(phone?.number).toBe(e164);
  });

  it.each([
    ['a +1 number of a country not listed (Jamaica)', '+1 876 927 1234'],
    ['a +44 number outside Great Britain (Jersey)', '+44 1534 612345'],
    ['a calling code not listed (Mexico)', '+52 55 1234 5678'],
  ])('refuses %s', (_case, input) => {
    expect(parsePhone(input)?.isValid() ?? false).toBe(false);
  });
});
