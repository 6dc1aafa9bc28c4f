import { randomUUID } from 'node:crypto';

/**
 * The clearinghouse simulator's answers, as pure functions of the request (plus a little state for "busy once").
 * Same shape as the real-time eligibility API (EligibilityCheckResponseContent): HTTP 200 with planStatus,
 * benefitsInformation (one entry per X12 EB segment) and errors (AAA rejections).
 */

/** The payer the examples and tests use (the simulator answers for any payer ID). */
export const TEST_PAYER = { id: '60054', name: 'Aetna' } as const;

/** Member IDs with a known answer. Any other member ID is "subscriber not found" (AAA 75). */
export const TEST_MEMBERS = {
  /** Active; $25 in-network copay for every service type asked about. */
  activeCopay: 'SIM-COPAY-25',
  /** Active; $500 of the individual deductible left, then 20% co-insurance; imaging (4, 62) needs prior authorisation. */
  activeDeductible: 'SIM-DEDUCT-500',
  /** Plan inactive (EB code 6, planStatus 6). */
  inactive: 'SIM-INACTIVE',
  /** AAA 75: subscriber not found. */
  notFound: 'SIM-NOT-FOUND',
  /** AAA 42 (payer unable to respond now) on the first request for a control number; the $25 copay answer afterwards. */
  payerBusyOnce: 'SIM-BUSY-ONCE',
  /** HTTP 503 on every request: the clearinghouse stays down, so the workflow's retries run out. */
  clearinghouseDown: 'SIM-DOWN',
} as const;

/** Service type codes for imaging: 4 diagnostic X-ray, 62 MRI/CAT scan. */
const IMAGING_SERVICE_TYPES = new Set(['4', '62']);

export interface SimulatorState {
  /** Control numbers (or member IDs, when a request has none) that already got their one "busy" answer. */
  busyAnswered: Set<string>;
}

export interface SimulatorReply {
  status: number;
  body: unknown;
}

interface ValidRequest {
  controlNumber?: string;
  tradingPartnerServiceId: string;
  provider: { npi: string; organizationName?: string };
  subscriber: { memberId: string; firstName?: string; lastName?: string; dateOfBirth?: string };
  serviceTypeCodes: string[];
}

/** Answers one eligibility request body (already parsed from JSON, or undefined when it was not JSON). */
export function answerEligibility(body: unknown, state: SimulatorState): SimulatorReply {
  const validated = validate(body);
  if ('fieldList' in validated) return { status: 400, body: { message: 'Request validation failed', fieldList: validated.fieldList } };
  const request = validated;

  switch (request.subscriber.memberId) {
    case TEST_MEMBERS.activeCopay:
      return ok(request, copayPlan(request.serviceTypeCodes));
    case TEST_MEMBERS.activeDeductible:
      return ok(request, deductiblePlan(request.serviceTypeCodes));
    case TEST_MEMBERS.inactive:
      return ok(request, inactivePlan());
    case TEST_MEMBERS.payerBusyOnce: {
      const key = request.controlNumber ?? request.subscriber.memberId;
      if (state.busyAnswered.has(key)) return ok(request, copayPlan(request.serviceTypeCodes));
      state.busyAnswered.add(key);
      return ok(request, rejection('42', 'Unable to Respond at Current Time', 'Resubmission Allowed', 'Loop 2100A'));
    }
    case TEST_MEMBERS.clearinghouseDown:
      return { status: 503, body: { code: 'SERVICE_UNAVAILABLE', message: 'Service temporarily unavailable' } };
    default:
      return ok(request, rejection('75', 'Subscriber/Insured Not Found', 'Please Correct and Resubmit', 'Loop 2100C'));
  }
}

type PlanAnswer = { planStatus?: unknown[]; benefitsInformation?: unknown[]; errors?: unknown[] };

function ok(request: ValidRequest, answer: PlanAnswer): SimulatorReply {
  return {
    status: 200,
    body: {
      id: `ec_${randomUUID()}`,
      controlNumber: request.controlNumber ?? String(Math.floor(Math.random() * 1e9)).padStart(9, '0'),
      tradingPartnerServiceId: request.tradingPartnerServiceId,
      provider: {
        npi: request.provider.npi,
        ...(request.provider.organizationName ? { providerName: request.provider.organizationName } : {}),
      },
      subscriber: {
        memberId: request.subscriber.memberId,
        ...(request.subscriber.firstName ? { firstName: request.subscriber.firstName } : {}),
        ...(request.subscriber.lastName ? { lastName: request.subscriber.lastName } : {}),
        ...(request.subscriber.dateOfBirth ? { dateOfBirth: request.subscriber.dateOfBirth } : {}),
      },
      payer: { name: TEST_PAYER.name, payorIdentification: request.tradingPartnerServiceId },
      planStatus: answer.planStatus ?? [],
      benefitsInformation: answer.benefitsInformation ?? [],
      errors: answer.errors ?? [],
      warnings: [],
      meta: { applicationMode: 'simulator', traceId: randomUUID() },
    },
  };
}

const active = (serviceTypeCodes: string[]) => [
  { code: '1', name: 'Active Coverage', serviceTypeCodes: ['30'], planCoverage: 'SIMULATED PPO', inPlanNetworkIndicatorCode: 'W' },
  ...(serviceTypeCodes.some((s) => s !== '30')
    ? [
        {
          code: '1',
          name: 'Active Coverage',
          serviceTypeCodes: serviceTypeCodes.filter((s) => s !== '30'),
          inPlanNetworkIndicatorCode: 'W',
        },
      ]
    : []),
];

function copayPlan(serviceTypeCodes: string[]): PlanAnswer {
  return {
    planStatus: [
      { statusCode: '1', status: 'Active Coverage', planDetails: 'SIMULATED PPO', serviceTypeCodes: ['30', ...serviceTypeCodes] },
    ],
    benefitsInformation: [
      ...active(serviceTypeCodes),
      benefit('B', 'Co-Payment', serviceTypeCodes, { benefitAmount: '25', timeQualifierCode: '27', inPlanNetworkIndicatorCode: 'Y' }),
      benefit('B', 'Co-Payment', serviceTypeCodes, { benefitAmount: '60', timeQualifierCode: '27', inPlanNetworkIndicatorCode: 'N' }),
      benefit('C', 'Deductible', ['30'], { benefitAmount: '1000', timeQualifierCode: '23', inPlanNetworkIndicatorCode: 'Y' }),
      benefit('C', 'Deductible', ['30'], { benefitAmount: '0', timeQualifierCode: '29', inPlanNetworkIndicatorCode: 'Y' }),
    ],
  };
}

function deductiblePlan(serviceTypeCodes: string[]): PlanAnswer {
  const imaging = serviceTypeCodes.filter((s) => IMAGING_SERVICE_TYPES.has(s));
  const other = serviceTypeCodes.filter((s) => !IMAGING_SERVICE_TYPES.has(s));
  const coinsurance = (codes: string[], extra: Record<string, string>) => [
    benefit('A', 'Co-Insurance', codes, { benefitPercent: '0.2', timeQualifierCode: '27', inPlanNetworkIndicatorCode: 'Y', ...extra }),
    benefit('A', 'Co-Insurance', codes, { benefitPercent: '0.4', timeQualifierCode: '27', inPlanNetworkIndicatorCode: 'N', ...extra }),
  ];
  return {
    planStatus: [
      { statusCode: '1', status: 'Active Coverage', planDetails: 'SIMULATED HDHP', serviceTypeCodes: ['30', ...serviceTypeCodes] },
    ],
    benefitsInformation: [
      ...active(serviceTypeCodes),
      benefit('C', 'Deductible', ['30'], { benefitAmount: '1500', timeQualifierCode: '23', inPlanNetworkIndicatorCode: 'Y' }),
      benefit('C', 'Deductible', ['30'], { benefitAmount: '500', timeQualifierCode: '29', inPlanNetworkIndicatorCode: 'Y' }),
      benefit('C', 'Deductible', ['30'], {
        benefitAmount: '2500',
        timeQualifierCode: '29',
        inPlanNetworkIndicatorCode: 'Y',
        coverageLevelCode: 'FAM',
        coverageLevel: 'Family',
      }),
      benefit('C', 'Deductible', ['30'], { benefitAmount: '3000', timeQualifierCode: '29', inPlanNetworkIndicatorCode: 'N' }),
      ...(other.length ? coinsurance(other, {}) : []),
      ...(imaging.length ? coinsurance(imaging, { authOrCertIndicator: 'Y' }) : []),
    ],
  };
}

function inactivePlan(): PlanAnswer {
  return {
    planStatus: [{ statusCode: '6', status: 'Inactive', planDetails: 'SIMULATED PPO', serviceTypeCodes: ['30'] }],
    benefitsInformation: [{ code: '6', name: 'Inactive', serviceTypeCodes: ['30'], serviceTypes: ['Health Benefit Plan Coverage'] }],
  };
}

function rejection(code: string, description: string, followupAction: string, location: string): PlanAnswer {
  return { errors: [{ field: 'AAA', code, description, followupAction, location }] };
}

function benefit(code: string, name: string, serviceTypeCodes: string[], fields: Record<string, string>) {
  return {
    code,
    name,
    coverageLevelCode: 'IND',
    coverageLevel: 'Individual',
    serviceTypeCodes,
    inPlanNetworkIndicator: { Y: 'Yes', N: 'No', W: 'Not Applicable' }[fields.inPlanNetworkIndicatorCode ?? ''] ?? 'Unknown',
    ...fields,
  };
}

type FieldError = { path: string; message: string };

/** The subset of the API's request validation that examples can trip over: required members and formats. */
function validate(body: unknown): ValidRequest | { fieldList: FieldError[] } {
  const errors: FieldError[] = [];
  if (!isObject(body)) return { fieldList: [{ path: '/', message: 'The body must be a JSON object' }] };
  const { controlNumber, tradingPartnerServiceId, provider, subscriber, encounter } = body;
  if (controlNumber !== undefined && (typeof controlNumber !== 'string' || !/^\d{9}$/.test(controlNumber))) {
    errors.push({ path: '/controlNumber', message: 'must be 9 digits' });
  }
  if (typeof tradingPartnerServiceId !== 'string' || !tradingPartnerServiceId) {
    errors.push({ path: '/tradingPartnerServiceId', message: 'is required' });
  }
  if (!isObject(provider) || typeof provider.npi !== 'string' || !/^\d{10}$/.test(provider.npi)) {
    errors.push({ path: '/provider/npi', message: 'must be a 10-digit NPI' });
  } else if (
    typeof provider.organizationName !== 'string' &&
    (typeof provider.firstName !== 'string' || typeof provider.lastName !== 'string')
  ) {
    errors.push({ path: '/provider/organizationName', message: 'organizationName, or firstName and lastName, is required' });
  }
  if (!isObject(subscriber) || typeof subscriber.memberId !== 'string' || !subscriber.memberId) {
    errors.push({ path: '/subscriber/memberId', message: 'is required' });
  } else if (
    subscriber.dateOfBirth !== undefined &&
    (typeof subscriber.dateOfBirth !== 'string' || !/^\d{8}$/.test(subscriber.dateOfBirth))
  ) {
    errors.push({ path: '/subscriber/dateOfBirth', message: 'must be YYYYMMDD' });
  }
  const serviceTypeCodes = isObject(encounter) ? encounter.serviceTypeCodes : undefined;
  if (serviceTypeCodes !== undefined && (!Array.isArray(serviceTypeCodes) || !serviceTypeCodes.every((s) => typeof s === 'string' && s))) {
    errors.push({ path: '/encounter/serviceTypeCodes', message: 'must be an array of service type codes' });
  }
  if (errors.length) return { fieldList: errors };

  const p = provider as Record<string, unknown>;
  const s = subscriber as Record<string, unknown>;
  const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    ...(typeof controlNumber === 'string' ? { controlNumber } : {}),
    tradingPartnerServiceId: tradingPartnerServiceId as string,
    provider: { npi: p.npi as string, ...(str(p.organizationName) ? { organizationName: str(p.organizationName) } : {}) },
    subscriber: {
      memberId: s.memberId as string,
      ...(str(s.firstName) ? { firstName: str(s.firstName) } : {}),
      ...(str(s.lastName) ? { lastName: str(s.lastName) } : {}),
      ...(str(s.dateOfBirth) ? { dateOfBirth: str(s.dateOfBirth) } : {}),
    },
    // The API defaults to 30 (health benefit plan coverage) when no service type is given.
    serviceTypeCodes: (serviceTypeCodes as string[] | undefined)?.length ? (serviceTypeCodes as string[]) : ['30'],
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
