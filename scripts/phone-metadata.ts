import type { CountryCode, MetadataJson } from 'libphonenumber-js/core';
import max from 'libphonenumber-js/max/metadata';

/**
 * The countries whose phone numbers the API accepts and correspondence formats: the United States and the territories
 * its address schema accepts, Canada (all in the +1 plan: a patient from across the border), and the United Kingdom (a documented international example,
 * test/unit/contract/api/submission-schema.test.ts). A number of any other country is refused as invalid. To accept
 * one more country, add it here and run `npm run phone-metadata`.
 */
export const PHONE_COUNTRIES = ['US', 'CA', 'PR', 'GU', 'VI', 'AS', 'MP', 'GB'] as const satisfies readonly CountryCode[];

/**
 * The installed libphonenumber-js "max" metadata cut down to `countries`: their full numbering plans (so validation is
 * digit-precise, as with `libphonenumber-js/max`), and each calling code listing only those countries, in the
 * library's order (the main country of a shared code, US for +1, stays first). No non-geographic codes.
 */
export function phoneMetadataFor(countries: readonly CountryCode[], source: MetadataJson = max): MetadataJson {
  const keep = new Set<string>(countries);
  const missing = countries.filter((country) => !source.countries[country]);
  if (missing.length > 0) throw new Error(`No phone metadata for ${missing.join(', ')}`);
  const callingCodes = Object.entries(source.country_calling_codes).flatMap(([code, members]) => {
    const kept = members.filter((country) => keep.has(country));
    return kept.length > 0 ? [[code, kept] as const] : [];
  });
  return {
    version: source.version,
    country_calling_codes: Object.fromEntries(callingCodes),
    countries: Object.fromEntries(Object.entries(source.countries).filter(([country]) => keep.has(country))),
    nonGeographic: {},
  };
}
