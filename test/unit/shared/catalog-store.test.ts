import { describe, expect, it } from 'vitest';
import { demoClinicCatalog } from '#local/seed/demo-clinic.ts';
import type { ClinicCatalog } from '#model/clinic-catalog.ts';
import { type CatalogStore, cachedCatalogStore } from '#shared/catalog-store.ts';

/** A catalog store that counts its loads, holding what `put` gave it. */
function countingStore(initial: ClinicCatalog | undefined) {
  let stored = initial;
  let loads = 0;
  const store: CatalogStore = {
    async load() {
      loads++;
      return stored;
    },
    async put(catalog) {
      stored = catalog;
      return { calendarKept: false, hoursKept: [] };
    },
  };
  return { store, loads: () => loads };
}

describe('Function: cachedCatalogStore', () => {
  const clinicId = demoClinicCatalog.profile.clinicId;

  it('serves a clinic from the function for ttlMs, then loads it again', async () => {
    // Prepare
    let now = new Date('2026-12-01T10:00:00Z');
    const inner = countingStore(demoClinicCatalog);
    const cached = cachedCatalogStore(inner.store, { ttlMs: 60_000, now: () => now });

    // Act
    const first = await cached.load(clinicId);
    now = new Date('2026-12-01T10:00:59Z');
    const withinTtl = await cached.load(clinicId);
    now = new Date('2026-12-01T10:01:00Z');
    await cached.load(clinicId);

    // Assess
    expect([first, withinTtl]).toEqual([demoClinicCatalog, demoClinicCatalog]);
    expect(inner.loads()).toBe(2);
  });

  it('forgets a clinic when its catalog is put, so the function reads the new one', async () => {
    // Prepare
    const inner = countingStore(demoClinicCatalog);
    const cached = cachedCatalogStore(inner.store, { ttlMs: 60_000, now: () => new Date('2026-12-01T10:00:00Z') });
    await cached.load(clinicId);
    const renamed = { ...demoClinicCatalog, profile: { ...demoClinicCatalog.profile, name: 'Renamed Health' } };

    // Act
    await cached.put(renamed);
    const after = await cached.load(clinicId);

    // Assess
    expect(after?.profile.name).toBe('Renamed Health');
  });

  it('does not keep a clinic that was not found', async () => {
    // Prepare
    const inner = countingStore(undefined);
    const cached = cachedCatalogStore(inner.store, { ttlMs: 60_000, now: () => new Date('2026-12-01T10:00:00Z') });

    // Act
    await cached.load('no-such-clinic');
    await cached.load('no-such-clinic');

    // Assess
    expect(inner.loads()).toBe(2);
  });
});
