import { type CountryCode, type MetadataJson, type PhoneNumber, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import metadata from './phone-metadata.json' with { type: 'json' };

/**
 * Parses a phone number as written ("(201) 555-0123", "+44 20 7946 0958"), US when it has no country code, with the
 * numbering plans of the countries the clinic takes numbers from (phone-metadata.json, a slice of libphonenumber's
 * full metadata cut by `npm run phone-metadata`: ~8 KiB instead of the 150 KiB of every country). A number of another
 * country does not parse as valid. Undefined when the text is not a phone number at all.
 */
export function parsePhone(text: string, defaultCountry: CountryCode = 'US'): PhoneNumber | undefined {
  return parsePhoneNumberFromString(text, defaultCountry, metadata as unknown as MetadataJson);
}
