import { dynamoApiKeyStore } from '#functions/api/api-key-store.ts';
import type { AppointmentType, ClinicCatalog, ClinicProfile, Department, Location, Resource } from '#model/clinic-catalog.ts';
import { dynamoCatalogStore } from '#shared/catalog-store.ts';
import type { TableRef } from '#shared/table.ts';

/**
 * The demo clinic: two sites in different time zones, three departments, providers with realistic weekly hours and
 * an MRI that needs both a technologist and the scanner. Used by the local cloud, the demo and the tests; everything
 * here is fictional.
 */

export const DEMO_CLINIC_ID = 'demo-clinic';
export const DEMO_API_KEY_ID = 'demo-key';

export const DEMO_LOCATIONS = {
  boston: 'boston-back-bay',
  denver: 'denver-union-station',
} as const;

export const DEMO_DEPARTMENTS = {
  primaryCare: 'primary-care',
  physicalTherapy: 'physical-therapy',
  radiology: 'radiology',
  sleepMedicine: 'sleep-medicine',
} as const;

export const DEMO_RESOURCES = {
  /** Boston primary care, full time with a lunch break. */
  drOkafor: 'prov-okafor',
  /** Boston primary care, part time (Tuesday and Thursday mornings). */
  drLindqvist: 'prov-lindqvist',
  /** Denver primary care, lunch break. */
  drMartinez: 'prov-martinez',
  /** Denver physical therapy, also Saturday mornings. */
  ptChen: 'pt-chen',
  /** Boston MRI technologist (a 'provider': a person who must be present). */
  mriTechNowak: 'mri-tech-nowak',
  /** Boston MRI scanner (a 'device'). */
  mriScanner: 'mri-scanner-1',
  /** Boston sleep medicine: on leave, no weekly hours, so SLEEP_STUDY never has a slot. */
  drPatel: 'prov-patel',
} as const;

export const DEMO_APPOINTMENT_TYPES = {
  primaryCareNew: 'PRIMARY_CARE_NEW',
  primaryCareFollowUp: 'PRIMARY_CARE_FOLLOW_UP',
  physicalTherapyEvaluation: 'PT_EVALUATION',
  physicalTherapyVisit: 'PT_VISIT',
  mriKnee: 'MRI_KNEE',
  /** Ordered as CPT 73723: longer than without contrast. */
  mriKneeContrast: 'MRI_KNEE_CONTRAST',
  /** Deterministically unbookable (its only provider has no hours): exercises the NO_SLOT path. */
  sleepStudy: 'SLEEP_STUDY',
} as const;

const profile: ClinicProfile = {
  clinicId: DEMO_CLINIC_ID,
  name: 'Demo Clinic',
  // Stedi's documented test NPI: the clearinghouse sandbox accepts it.
  npi: '1999999984',
  organizationName: 'Demo Clinic Medical Group',
  replyToEmail: 'front-desk@demo-clinic.example',
  phone: '+16175550100',
};

const locations: Location[] = [
  {
    locationId: DEMO_LOCATIONS.boston,
    name: 'Demo Clinic Back Bay',
    address: '100 Boylston Street, Boston, MA 02116',
    timeZone: 'America/New_York',
  },
  {
    locationId: DEMO_LOCATIONS.denver,
    name: 'Demo Clinic Union Station',
    address: '1701 Wynkoop Street, Denver, CO 80202',
    timeZone: 'America/Denver',
  },
];

const departments: Department[] = [
  { departmentId: DEMO_DEPARTMENTS.primaryCare, name: 'Primary Care', locationId: DEMO_LOCATIONS.boston },
  { departmentId: DEMO_DEPARTMENTS.physicalTherapy, name: 'Physical Therapy', locationId: DEMO_LOCATIONS.denver },
  // Imaging's scheduling problems (no scanner slot, a missing order) go to the radiology desk, not the shared queue.
  { departmentId: DEMO_DEPARTMENTS.radiology, name: 'Radiology', locationId: DEMO_LOCATIONS.boston, staffQueue: 'radiology' },
  { departmentId: DEMO_DEPARTMENTS.sleepMedicine, name: 'Sleep Medicine', locationId: DEMO_LOCATIONS.boston },
];

const weekdays = (ranges: Array<{ start: string; end: string }>): Resource['weeklyHours'] => ({
  MON: ranges,
  TUE: ranges,
  WED: ranges,
  THU: ranges,
  FRI: ranges,
});

const resources: Resource[] = [
  {
    resourceId: DEMO_RESOURCES.drOkafor,
    kind: 'provider',
    name: 'Dr. Amara Okafor, MD',
    departmentId: DEMO_DEPARTMENTS.primaryCare,
    locationId: DEMO_LOCATIONS.boston,
    weeklyHours: weekdays([
      { start: '08:00', end: '12:00' },
      { start: '13:00', end: '17:00' },
    ]),
    npi: '1245678903',
  },
  {
    resourceId: DEMO_RESOURCES.drLindqvist,
    kind: 'provider',
    name: 'Dr. Erik Lindqvist, MD',
    departmentId: DEMO_DEPARTMENTS.primaryCare,
    locationId: DEMO_LOCATIONS.boston,
    weeklyHours: { TUE: [{ start: '09:00', end: '13:00' }], THU: [{ start: '09:00', end: '13:00' }] },
    npi: '1345678928',
  },
  {
    resourceId: DEMO_RESOURCES.drMartinez,
    kind: 'provider',
    name: 'Dr. Sofia Martinez, DO',
    departmentId: DEMO_DEPARTMENTS.primaryCare,
    locationId: DEMO_LOCATIONS.denver,
    weeklyHours: weekdays([
      { start: '08:00', end: '12:00' },
      { start: '12:30', end: '16:30' },
    ]),
    npi: '1456789035',
  },
  {
    resourceId: DEMO_RESOURCES.ptChen,
    kind: 'provider',
    name: 'Jordan Chen, DPT',
    departmentId: DEMO_DEPARTMENTS.physicalTherapy,
    locationId: DEMO_LOCATIONS.denver,
    weeklyHours: { ...weekdays([{ start: '07:00', end: '15:00' }]), SAT: [{ start: '08:00', end: '12:00' }] },
    npi: '1567890144',
  },
  {
    resourceId: DEMO_RESOURCES.mriTechNowak,
    kind: 'provider',
    name: 'Pat Nowak, RT(R)(MR)',
    departmentId: DEMO_DEPARTMENTS.radiology,
    locationId: DEMO_LOCATIONS.boston,
    weeklyHours: weekdays([
      { start: '07:00', end: '11:30' },
      { start: '12:00', end: '15:30' },
    ]),
  },
  {
    resourceId: DEMO_RESOURCES.mriScanner,
    kind: 'device',
    name: 'MRI scanner 1 (1.5 T)',
    departmentId: DEMO_DEPARTMENTS.radiology,
    locationId: DEMO_LOCATIONS.boston,
    // The scanner runs longer than any one technologist; the technologist's hours are what limit MRI slots.
    weeklyHours: { ...weekdays([{ start: '06:00', end: '22:00' }]), SAT: [{ start: '08:00', end: '16:00' }] },
  },
  {
    resourceId: DEMO_RESOURCES.drPatel,
    kind: 'provider',
    name: 'Dr. Ravi Patel, MD',
    departmentId: DEMO_DEPARTMENTS.sleepMedicine,
    locationId: DEMO_LOCATIONS.boston,
    weeklyHours: {},
    npi: '1678901251',
  },
];

const appointmentTypes: AppointmentType[] = [
  {
    code: DEMO_APPOINTMENT_TYPES.primaryCareNew,
    name: 'New patient visit',
    departmentId: DEMO_DEPARTMENTS.primaryCare,
    durationMinutes: 45,
    requires: ['provider'],
    serviceTypeCode: '98',
    officeVisit: 'primary-care',
    allowedAmountCents: 18_500,
    requiresPhysicianOrder: false,
  },
  {
    code: DEMO_APPOINTMENT_TYPES.primaryCareFollowUp,
    name: 'Follow-up visit',
    departmentId: DEMO_DEPARTMENTS.primaryCare,
    durationMinutes: 30,
    requires: ['provider'],
    serviceTypeCode: '30',
    allowedAmountCents: 11_000,
    requiresPhysicianOrder: false,
  },
  {
    code: DEMO_APPOINTMENT_TYPES.physicalTherapyEvaluation,
    name: 'Physical therapy evaluation',
    departmentId: DEMO_DEPARTMENTS.physicalTherapy,
    durationMinutes: 60,
    requires: ['provider'],
    serviceTypeCode: 'PT',
    allowedAmountCents: 16_000,
    procedureCodes: ['97161', '97162', '97163'],
    requiresPhysicianOrder: true,
  },
  {
    code: DEMO_APPOINTMENT_TYPES.physicalTherapyVisit,
    name: 'Physical therapy session',
    departmentId: DEMO_DEPARTMENTS.physicalTherapy,
    durationMinutes: 45,
    requires: ['provider'],
    serviceTypeCode: 'PT',
    allowedAmountCents: 9_500,
    procedureCodes: ['97110', '97112', '97140', '97530'],
    requiresPhysicianOrder: true,
  },
  {
    code: DEMO_APPOINTMENT_TYPES.mriKnee,
    name: 'MRI knee without contrast',
    departmentId: DEMO_DEPARTMENTS.radiology,
    durationMinutes: 60,
    requires: ['provider', 'device'],
    serviceTypeCode: '62',
    allowedAmountCents: 120_000,
    procedureCodes: ['73721'],
    requiresPhysicianOrder: true,
  },
  {
    code: DEMO_APPOINTMENT_TYPES.mriKneeContrast,
    name: 'MRI knee with contrast',
    departmentId: DEMO_DEPARTMENTS.radiology,
    durationMinutes: 75,
    requires: ['provider', 'device'],
    serviceTypeCode: '62',
    allowedAmountCents: 165_000,
    procedureCodes: ['73723'],
    // The scanner is prepared and cleaned around a contrast study.
    bufferAfterMinutes: 15,
    requiresPhysicianOrder: true,
  },
  {
    code: DEMO_APPOINTMENT_TYPES.sleepStudy,
    name: 'Sleep medicine consultation',
    departmentId: DEMO_DEPARTMENTS.sleepMedicine,
    durationMinutes: 60,
    requires: ['provider'],
    serviceTypeCode: '30',
    allowedAmountCents: 25_000,
    requiresPhysicianOrder: false,
  },
];

/** Sort key order (code units, as DynamoDB compares ASCII keys), which is the order `loadCatalog` returns. */
const byKey =
  <T>(id: (item: T) => string) =>
  (a: T, b: T) =>
    id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0;

/** The demo clinic's catalog, exactly as `loadCatalog` reads it back after `seedDemoClinic` (same items, same order). */
export const demoClinicCatalog: ClinicCatalog = {
  profile,
  locations: locations.sort(byKey((l) => l.locationId)),
  departments: departments.sort(byKey((d) => d.departmentId)),
  resources: resources.sort(byKey((r) => r.resourceId)),
  appointmentTypes: appointmentTypes.sort(byKey((t) => t.code)),
  // The demo payer's published list: contrast MRIs are authorized before they are done (a knee MRI without contrast is not).
  priorAuthorizationRules: [{ payerId: '60054', procedureCodes: ['73722', '73723'] }],
  // The demo payer's contracted rates for imaging, below the clinic's own amounts.
  payerRates: [
    { payerId: '60054', appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKnee, allowedAmountCents: 98_000 },
    { payerId: '60054', appointmentTypeCode: DEMO_APPOINTMENT_TYPES.mriKneeContrast, allowedAmountCents: 132_500 },
  ],
};

/** Fixed so repeated seeding writes identical items. */
const SEEDED_AT = '2026-01-01T00:00:00.000Z';

/**
 * Writes the demo clinic's catalog and one API key (only its hash is stored). Seeding again writes the same catalog,
 * keeping the calendar changes admins made through the local API (catalog-store.ts, putCatalog).
 */
export async function seedDemoClinic(table: TableRef, options: { apiKey: string }): Promise<void> {
  await dynamoCatalogStore(table).put(demoClinicCatalog);
  await dynamoApiKeyStore(table).store(DEMO_CLINIC_ID, options.apiKey, DEMO_API_KEY_ID, SEEDED_AT);
}
