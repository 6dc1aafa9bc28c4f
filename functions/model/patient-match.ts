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
