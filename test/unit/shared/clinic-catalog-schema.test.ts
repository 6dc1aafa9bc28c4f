import { describe, expect, it } from 'vitest';
import { demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import { ClinicCatalogSchema } from '#shared/clinic-catalog-schema.ts';

const paths = (value: unknown) => (ClinicCatalogSchema.safeParse(value).error?.issues ?? []).map((i) => i.path.join('.'));

describe('Schema: ClinicCatalogSchema', () => {
  it('accepts the demo clinic', () => {
    expect(ClinicCatalogSchema.safeParse(demoClinicCatalog).success).toBe(true);
  });

  it('rejects a time zone that is not IANA', () => {
    const catalog = structuredClone(demoClinicCatalog);
    catalog.locations[0] = { ...catalog.locations[0]!, timeZone: 'Eastern' };
    expect(paths(catalog)).toEqual(['locations.0.timeZone']);
  });

  it('rejects opening hours that end before they start', () => {
    const catalog = structuredClone(demoClinicCatalog);
    catalog.resources[0] = { ...catalog.resources[0]!, weeklyHours: { MON: [{ start: '17:00', end: '09:00' }] } };
    expect(paths(catalog)).toEqual(['resources.0.weeklyHours.MON.0']);
  });

  it('rejects references to departments and locations that do not exist', () => {
    const catalog = structuredClone(demoClinicCatalog);
    catalog.resources[0] = { ...catalog.resources[0]!, departmentId: 'nowhere', locationId: 'nowhere' };
    catalog.appointmentTypes[0] = { ...catalog.appointmentTypes[0]!, departmentId: 'nowhere' };
    expect(paths(catalog)).toEqual(['resources.0.locationId', 'resources.0.departmentId', 'appointmentTypes.0.departmentId']);
  });
});
