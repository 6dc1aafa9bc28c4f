import { describe, expect, it } from 'vitest';
import { demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import { type ClinicCatalog, networkWith } from '#model/clinic-catalog.ts';
import { ClinicCatalogSchema } from '#model/clinic-catalog-schema.ts';

const paths = (value: unknown) => (ClinicCatalogSchema.safeParse(value).error?.issues ?? []).map((i) => i.path.join('.'));

/** The demo catalog with its first location, resource and appointment type changed as given. */
function demoWith(change: {
  location?: Partial<ClinicCatalog['locations'][number]>;
  resource?: Partial<ClinicCatalog['resources'][number]>;
  appointmentType?: Partial<ClinicCatalog['appointmentTypes'][number]>;
}): ClinicCatalog {
  const [location, ...locations] = demoClinicCatalog.locations;
  const [resource, ...resources] = demoClinicCatalog.resources;
  const [appointmentType, ...appointmentTypes] = demoClinicCatalog.appointmentTypes;
  if (!location || !resource || !appointmentType) throw new Error('the demo catalog is empty');
  return {
    ...demoClinicCatalog,
    locations: [{ ...location, ...change.location }, ...locations],
    resources: [{ ...resource, ...change.resource }, ...resources],
    appointmentTypes: [{ ...appointmentType, ...change.appointmentType }, ...appointmentTypes],
  };
}

describe('Schema: ClinicCatalogSchema', () => {
  it('accepts the demo clinic', () => {
    expect(ClinicCatalogSchema.safeParse(demoClinicCatalog).success).toBe(true);
  });

  it('rejects a time zone that is not IANA', () => {
    expect(paths(demoWith({ location: { timeZone: 'Eastern' } }))).toEqual(['locations.0.timeZone']);
  });

  it('rejects opening hours that end before they start', () => {
    expect(paths(demoWith({ resource: { weeklyHours: { MON: [{ start: '17:00', end: '09:00' }] } } }))).toEqual([
      'resources.0.weeklyHours.MON.0',
    ]);
  });

  it('rejects references to departments and locations that do not exist', () => {
    const catalog = demoWith({
      resource: { departmentId: 'nowhere', locationId: 'nowhere' },
      appointmentType: { departmentId: 'nowhere' },
    });
    expect(paths(catalog)).toEqual(['resources.0.locationId', 'resources.0.departmentId', 'appointmentTypes.0.departmentId']);
  });
});

describe('networkWith: the clinic’s network status with a payer', () => {
  it('takes the location’s own entry, else the clinic-wide one, else in network', () => {
    const catalog = {
      payerNetworks: [
        { payerId: '60054', network: 'IN' as const },
        { payerId: '60054', locationId: 'denver', network: 'OUT' as const },
        { payerId: '62308', network: 'OUT' as const },
      ],
    };

    expect(networkWith(catalog, '60054', 'denver')).toBe('OUT');
    expect(networkWith(catalog, '60054', 'boston')).toBe('IN');
    expect(networkWith(catalog, '60054')).toBe('IN');
    expect(networkWith(catalog, '62308', 'denver')).toBe('OUT');
    expect(networkWith(catalog, '87726')).toBe('IN');
    expect(networkWith({}, '60054', 'denver')).toBe('IN');
  });
});
