/** IDs no resource of this API can have: each would otherwise reach a DynamoDB key. */
export const BAD_PATH_IDS: Array<[string, string]> = [
  ['2,100 characters', 'a'.repeat(2100)],
  ['101 characters', 'a'.repeat(101)],
  ['a slash', 'clinic/../other'],
  ['a percent sign', 'clinic%2Fother'],
  ['unicode', 'clínica'],
  ['an emoji', 'clinic-🏥'],
  ['a hash', 'CLINIC#x'],
  ['white space', 'clinic one'],
  ['a leading hyphen', '-clinic'],
  ['nothing', ''],
];
