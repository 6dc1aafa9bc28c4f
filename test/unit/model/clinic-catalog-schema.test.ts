import { describe, expect, it } from 'vitest';
import { demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import { allowedAmountFor, type ClinicCatalog, networkWith } from '#model/clinic-catalog.ts';
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

  it('still loads a catalog written before authorization rules, dropping what its types said about authorization', () => {
    const older = {
      ...demoClinicCatalog,
      appointmentTypes: demoClinicCatalog.appointmentTypes.map((t) => ({ ...t, mayNeedPriorAuthorization: true })),
    };
    const parsed = ClinicCatalogSchema.parse(older);
    expect(parsed.appointmentTypes[0]?.mayNeedPriorAuthorization).toBeUndefined();
  });

  it('rejects a contracted rate for a type the clinic does not offer, and a rule that lists no procedure', () => {
    expect(
      paths({
        ...demoClinicCatalog,
        payerRates: [{ payerId: '60054', appointmentTypeCode: 'NOT_OFFERED', allowedAmountCents: 100 }],
        priorAuthorizationRules: [{ payerId: '60054', procedureCodes: [] }],
      }),
    ).toEqual(expect.arrayContaining(['payerRates.0.appointmentTypeCode', 'priorAuthorizationRules.0.procedureCodes']));
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

describe('Catalog: allowedAmountFor', () => {
  const mri = { code: 'MRI_KNEE', allowedAmountCents: 120_000 };
  const catalog = { payerRates: [{ payerId: '60054', appointmentTypeCode: 'MRI_KNEE', allowedAmountCents: 98_000 }] };

  it("takes the payer's contracted rate in network, the clinic's amount out of network or for another payer", () => {
    expect(allowedAmountFor(catalog, { payerId: '60054', inNetwork: true }, mri)).toEqual({ cents: 98_000, from: 'payer-rate' });
    expect(allowedAmountFor(catalog, { payerId: '60054', inNetwork: false }, mri)).toEqual({ cents: 120_000, from: 'clinic' });
    expect(allowedAmountFor(catalog, { payerId: '87726', inNetwork: true }, mri)).toEqual({ cents: 120_000, from: 'clinic' });
  });
});
