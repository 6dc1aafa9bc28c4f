import { createHmac } from 'node:crypto';

/**
 * Normalises a name for matching: accents stripped (García = Garcia), case folded, apostrophes and periods dropped
 * (O'Brien = OBrien), hyphens and runs of spaces made one space (Smith-Jones = Smith Jones).
 */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’.]/g, '')
    .replace(/[\s-]+/g, ' ')
    .trim();
}

/**
 * The key of keys.patientMatch: the same person (normalised first and last name, birth date) always gives the same
 * key, so registering a patient is a conditional put on one item and two concurrent registrations cannot both win. A
 * keyed hash (HMAC-SHA256 with the deployment's patient identity key, `identityKey`), not a bare hash: names and birth
 * dates are few enough to enumerate, so a bare hash in a key (visible wherever keys are: logs of requests, backups,
 * exports) would name the patient to anyone who tries them.
 */
export function patientMatchHash(person: { firstName: string; lastName: string; birthDate: string }, identityKey: string): string {
  const material = ['patient-match', normaliseName(person.firstName), normaliseName(person.lastName), person.birthDate].join('|');
  return createHmac('sha256', identityKey).update(material, 'utf8').digest('hex');
}

/** What intake compares of a matched patient with a submission: contact details and the insurance's identity. */
export interface MatchComparable {
  email?: string;
  phone?: string;
  address?: { line1: string; postalCode: string };
  insurance?: { payerId: string; memberId: string };
}

/**
 * The fields on which a submission disagrees with the patient it matched by name and birth date, by name. A field
 * either side lacks is no disagreement (a returning patient may leave out their email); emails compare without case,
 * addresses by first line (case and spacing aside) and 5-digit ZIP, insurance by payer and member ID.
 */
export function matchDisagreements(stored: MatchComparable, submitted: MatchComparable): string[] {
  const fold = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();
  const differs = <T>(a: T | undefined, b: T | undefined, same: (a: T, b: T) => boolean) =>
    a !== undefined && b !== undefined && !same(a, b);
  const fields: Array<[string, boolean]> = [
    ['email', differs(stored.email, submitted.email, (a, b) => fold(a) === fold(b))],
    ['phone', differs(stored.phone, submitted.phone, (a, b) => a === b)],
    [
      'address',
      differs(
        stored.address,
        submitted.address,
        (a, b) => fold(a.line1) === fold(b.line1) && a.postalCode.slice(0, 5) === b.postalCode.slice(0, 5),
      ),
    ],
    [
      'insurance',
      differs(stored.insurance, submitted.insurance, (a, b) => a.payerId === b.payerId && fold(a.memberId) === fold(b.memberId)),
    ],
  ];
  return fields.filter(([, disagree]) => disagree).map(([name]) => name);
}
