import { IANAZone } from 'luxon';
import * as z from 'zod';
import { CONTACT_CATEGORIES, STAFF_QUEUES, type StaffQueue } from '#contract/staff-queues.ts';

/** The queues a department's scheduling problems may go to: those whose people book appointments. */
const SCHEDULING_QUEUES = ['scheduling', 'radiology', 'front-desk'] as const satisfies readonly StaffQueue[];

import type { ClinicCatalog } from './clinic-catalog.ts';

/**
 * Validates a clinic's catalog before it is loaded (scripts/load-clinic.ts): a bad time zone or opening hour would
 * otherwise surface only as "no slot" in every journey. Cross-references (a resource's department exists, …) are
 * checked too, so a loaded catalog is bookable.
 */
const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and hyphens');
const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');
const hours = z.array(z.strictObject({ start: localTime, end: localTime }).refine((r) => r.start < r.end, 'start must be before end'));
/** A service level: whole minutes, up to 30 days. */
const minutes = z
  .int()
  .min(1)
  .max(30 * 24 * 60);
const days = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

export const ClinicCatalogSchema = z
  .strictObject({
    profile: z.strictObject({
      clinicId: id,
      name: z.string().min(1).max(200),
      npi: z.string().regex(/^\d{10}$/, '10 digits'),
      organizationName: z.string().min(1).max(200),
      replyToEmail: z.email(),
      phone: z.string().min(7).max(30),
      serviceLevels: z
        .strictObject({ urgent: minutes.optional(), high: minutes.optional(), normal: minutes.optional(), low: minutes.optional() })
        .optional(),
      // Results and clinical concerns stay the clinicians'; nothing goes to ops, who see IDs only.
      contactRouting: z
        .partialRecord(
          z.enum(
            CONTACT_CATEGORIES.filter((c) => c !== 'results' && c !== 'clinical-concern') as [
              'appointment',
              'billing',
              'insurance',
              'records',
              'other',
            ],
          ),
          z.enum(
            STAFF_QUEUES.filter((q) => q !== 'ops') as [
              'front-desk',
              'eligibility',
              'scheduling',
              'billing',
              'clinical-triage',
              'radiology',
            ],
          ),
        )
        .optional(),
      lateCancelHours: z
        .int()
        .min(0)
        .max(14 * 24)
        .optional(),
      noShowAfterMinutes: z
        .int()
        .min(5)
        .max(24 * 60)
        .optional(),
      reverifyDaysBefore: z.int().min(1).max(30).optional(),
    }),
    locations: z
      .array(
        z.strictObject({
          locationId: id,
          name: z.string().min(1).max(200),
          address: z.string().min(1).max(300),
          timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), 'an IANA time zone, e.g. America/New_York'),
        }),
      )
      .min(1),
    departments: z
      .array(
        z.strictObject({
          departmentId: id,
          name: z.string().min(1).max(200),
          locationId: id,
          staffQueue: z.enum(SCHEDULING_QUEUES).optional(),
        }),
      )
      .min(1),
    resources: z.array(
      z.strictObject({
        resourceId: id,
        kind: z.enum(['provider', 'room', 'device']),
        name: z.string().min(1).max(200),
        departmentId: id,
        locationId: id,
        weeklyHours: z.partialRecord(z.enum(days), hours),
        npi: z
          .string()
          .regex(/^\d{10}$/)
          .optional(),
      }),
    ),
    appointmentTypes: z.array(
      z.strictObject({
        code: z.string().regex(/^[A-Z0-9_]{2,40}$/, 'upper-case code, e.g. PRIMARY_CARE_NEW'),
        name: z.string().min(1).max(200),
        departmentId: id,
        durationMinutes: z.number().int().min(5).max(480).multipleOf(5),
        requires: z.array(z.enum(['provider', 'room', 'device'])).min(1),
        serviceTypeCode: z.string().regex(/^[A-Z0-9]{1,2}$/, 'an X12 service type code, e.g. 30, 98, PT, 62'),
        officeVisit: z.enum(['primary-care', 'specialist']).optional(),
        allowedAmountCents: z.number().int().min(0),
        procedureCodes: z
          .array(z.string().regex(/^\d{4}[0-9A-Z]$/, 'a CPT code, e.g. 73721'))
          .max(50)
          .optional(),
        bufferBeforeMinutes: z.int().min(0).max(120).multipleOf(5).optional(),
        bufferAfterMinutes: z.int().min(0).max(120).multipleOf(5).optional(),
        requiresPhysicianOrder: z.boolean(),
        // Before prior authorization had its rules (`priorAuthorizationRules`) a type said whether it might need one; it
        // decided nothing. Accepted so catalogs written then still load, and dropped.
        mayNeedPriorAuthorization: z
          .boolean()
          .optional()
          .transform(() => undefined),
      }),
    ),
    closures: z.array(z.strictObject({ locationId: id, date: z.iso.date(), name: z.string().min(1).max(200) })).optional(),
    unavailability: z
      .array(
        z
          .strictObject({
            resourceId: id,
            kind: z.enum(['time-off', 'block']),
            start: z.iso.datetime({ offset: true }),
            end: z.iso.datetime({ offset: true }),
          })
          .refine((u) => Date.parse(u.start) < Date.parse(u.end), 'start must be before end'),
      )
      .optional(),
    payerNetworks: z
      .array(z.strictObject({ payerId: z.string().min(1).max(80), locationId: id.optional(), network: z.enum(['IN', 'OUT']) }))
      .optional(),
    payerRates: z
      .array(
        z.strictObject({
          payerId: z.string().min(1).max(80),
          appointmentTypeCode: z.string().regex(/^[A-Z0-9_]{2,40}$/),
          allowedAmountCents: z.number().int().min(0),
        }),
      )
      .optional(),
    priorAuthorizationRules: z
      .array(
        z.strictObject({
          payerId: z.string().min(1).max(80),
          procedureCodes: z
            .array(z.string().regex(/^\d{4}[0-9A-Z]$/, 'a CPT code, e.g. 73721'))
            .min(1)
            .max(500),
        }),
      )
      .optional(),
  })
  .superRefine((catalog, ctx) => {
    const locations = new Set(catalog.locations.map((l) => l.locationId));
    const departments = new Set(catalog.departments.map((d) => d.departmentId));
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    catalog.departments.forEach((d, i) => {
      if (!locations.has(d.locationId)) problem(['departments', i, 'locationId'], 'unknown location');
    });
    catalog.resources.forEach((r, i) => {
      if (!locations.has(r.locationId)) problem(['resources', i, 'locationId'], 'unknown location');
      if (!departments.has(r.departmentId)) problem(['resources', i, 'departmentId'], 'unknown department');
    });
    catalog.appointmentTypes.forEach((t, i) => {
      if (!departments.has(t.departmentId)) problem(['appointmentTypes', i, 'departmentId'], 'unknown department');
    });
    catalog.closures?.forEach((c, i) => {
      if (!locations.has(c.locationId)) problem(['closures', i, 'locationId'], 'unknown location');
    });
    const types = new Set(catalog.appointmentTypes.map((t) => t.code));
    catalog.payerRates?.forEach((r, i) => {
      if (!types.has(r.appointmentTypeCode)) problem(['payerRates', i, 'appointmentTypeCode'], 'unknown appointment type');
    });
    catalog.payerNetworks?.forEach((p, i) => {
      if (p.locationId && !locations.has(p.locationId)) problem(['payerNetworks', i, 'locationId'], 'unknown location');
    });
    const resources = new Set(catalog.resources.map((r) => r.resourceId));
    catalog.unavailability?.forEach((u, i) => {
      if (!resources.has(u.resourceId)) problem(['unavailability', i, 'resourceId'], 'unknown resource');
    });
  });

// The schema and the domain type must describe the same thing.
export type ParsedClinicCatalog = z.output<typeof ClinicCatalogSchema>;
const _sameShape: (c: ParsedClinicCatalog) => ClinicCatalog = (c) => c;
void _sameShape;
