import { createHash } from 'node:crypto';

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
 * hash, so registering a patient is a conditional put on one item and two concurrent registrations cannot both win.
 */
export function patientMatchHash(person: { firstName: string; lastName: string; birthDate: string }): string {
  const material = [normaliseName(person.firstName), normaliseName(person.lastName), person.birthDate].join('|');
  return createHash('sha256').update(material, 'utf8').digest('hex');
}
