import * as z from 'zod';
import { TRANSIENT_ERRORS } from '#contract/journey-workflow.ts';
import { requireEnv } from '#shared/env.ts';
import { TransientDependencyError } from '#shared/errors.ts';
import { type ApiKeySource, resolveApiKey, secretProvider } from '#shared/secrets.ts';
import type { BenefitEntry, EligibilityPort, EligibilityRequest, EligibilityResponse } from './eligibility-port.ts';

/**
 * The eligibility port over the clearinghouse's real-time eligibility JSON API (Stedi's
 * `POST /2024-04-01/change/medicalnetwork/eligibility/v3`; Optum's follows the same model). The request and response
 * shapes below are the narrow subset of shared/reference/stedi-healthcare.openapi.json that this product uses,
 * hand-written because the spec is 1.7 MB and we read a dozen fields.
 */
export const ELIGIBILITY_PATH = '/2024-04-01/change/medicalnetwork/eligibility/v3';

/** AAA reject reasons that mean "try again later" (42 unable to respond now, 80 no response): retried by the workflow. */
export const TRANSIENT_AAA_CODES: ReadonlySet<string> = new Set(['42', '80']);

/** Lambda's timeout is 30 s; give up a little earlier so the error is ours (and retried) rather than a timeout. */
const DEFAULT_TIMEOUT_MS = 25_000;

/** The request body (EligibilityCheckRequestContent), only the properties we send. */
export interface StediEligibilityRequest {
  /** Marked deprecated in the spec (Stedi makes its own) but accepted: we send ours so retries correlate. */
  controlNumber: string;
  tradingPartnerServiceId: string;
  tradingPartnerName?: string;
  provider: { npi: string; organizationName: string };
  subscriber: { memberId: string; firstName: string; lastName: string; dateOfBirth: string; groupNumber?: string };
  dependents?: Array<{ firstName: string; lastName: string; dateOfBirth: string; individualRelationshipCode: '01' | '19' | '34' }>;
  /** `dateOfService` YYYYMMDD: the visit's day, when known (the payer answers for that day, not today). */
  encounter: { serviceTypeCodes: string[]; dateOfService?: string };
}

const nullableString = z.string().nullish();
const stringList = z.array(z.string()).nullish();

/** The response body (EligibilityCheckResponseContent), only the properties we read; the rest is dropped unread. */
export const stediEligibilityResponseSchema = z.object({
  controlNumber: nullableString,
  planStatus: z.array(z.object({ statusCode: nullableString, serviceTypeCodes: stringList })).nullish(),
  benefitsInformation: z
    .array(
      z.object({
        code: nullableString,
        serviceTypeCodes: stringList,
        benefitAmount: nullableString,
        benefitPercent: nullableString,
        timeQualifierCode: nullableString,
        inPlanNetworkIndicatorCode: nullableString,
        coverageLevelCode: nullableString,
        authOrCertIndicator: nullableString,
        insuranceTypeCode: nullableString,
        planCoverage: nullableString,
        quantityQualifierCode: nullableString,
        benefitQuantity: nullableString,
        benefitsServiceDelivery: z
          .array(
            z.object({
              quantityQualifierCode: nullableString,
              quantity: nullableString,
              timePeriodQualifierCode: nullableString,
              numOfPeriods: nullableString,
            }),
          )
          .nullish(),
        eligibilityAdditionalInformationList: z
          .array(z.object({ codeListQualifierCode: nullableString, industryCode: nullableString }))
          .nullish(),
        eligibilityAdditionalInformation: z.object({ codeListQualifierCode: nullableString, industryCode: nullableString }).nullish(),
        additionalInformation: z.array(z.object({ description: nullableString })).nullish(),
        benefitsRelatedEntities: z
          .array(z.object({ entityIdentifier: nullableString, entityName: nullableString, entityIdentificationValue: nullableString }))
          .nullish(),
        benefitsDateInformation: z.record(z.string(), z.unknown()).nullish(),
      }),
    )
    .nullish(),
  errors: z.array(z.object({ code: nullableString, followupAction: nullableString })).nullish(),
});
export type StediEligibilityResponse = z.infer<typeof stediEligibilityResponseSchema>;

/** The clearinghouse refused the request itself (bad key, malformed body, unknown route): retrying will not help. */
export class ClearinghouseRequestError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClearinghouseRequestRejected';
  }
}

export interface StediEligibilityAdapterOptions {
  /** E.g. https://healthcare.us.stedi.com (no version segment: the path carries it). */
  baseUrl: string;
  apiKey: ApiKeySource;
  timeoutMs?: number;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/**
 * Builds the adapter. Transport failures, HTTP 429/5xx and AAA 42/80 throw TransientDependencyError
 * (ClearinghouseUnavailable) so the workflow retries; other HTTP errors throw ClearinghouseRequestError; other AAA
 * rejections are returned for the domain to interpret. Error messages carry status codes only, never the body
 * (a rejection can echo the subscriber's details).
 */
export function createStediEligibilityAdapter(options: StediEligibilityAdapterOptions): EligibilityPort {
  const url = `${options.baseUrl.replace(/\/+$/, '')}${ELIGIBILITY_PATH}`;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    async check(request: EligibilityRequest): Promise<EligibilityResponse> {
      const apiKey = await resolveApiKey(options.apiKey);
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: { Authorization: apiKey, 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(toStediRequest(request)),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new TransientDependencyError(TRANSIENT_ERRORS.clearinghouseUnavailable, 'Clearinghouse unreachable or timed out', {
          cause: error,
        });
      }

      if (response.status === 429 || response.status >= 500) {
        await response.body?.cancel();
        throw new TransientDependencyError(TRANSIENT_ERRORS.clearinghouseUnavailable, `Clearinghouse answered HTTP ${response.status}`);
      }
      let result: EligibilityResponse;
      if (!response.ok) {
        // A payer's AAA rejection can come in a 400 body (the 271 with its errors): an answer, not a failed request.
        const rejection = response.status === 400 ? await aaaRejectionIn(response) : undefined;
        if (!rejection) {
          await response.body?.cancel().catch(() => undefined);
          throw new ClearinghouseRequestError(`Clearinghouse rejected the eligibility request with HTTP ${response.status}`);
        }
        result = rejection;
      } else {
        let body: unknown;
        try {
          body = await response.json();
        } catch (error) {
          throw new ClearinghouseRequestError('Clearinghouse answered with a body that is not JSON', { cause: error });
        }
        const parsed = stediEligibilityResponseSchema.safeParse(body);
        if (!parsed.success) throw new ClearinghouseRequestError('Clearinghouse answered with an unexpected eligibility response shape');
        result = fromStediResponse(parsed.data);
      }
      const transient = result.errors.find((e) => TRANSIENT_AAA_CODES.has(e.code));
      if (transient) {
        throw new TransientDependencyError(TRANSIENT_ERRORS.clearinghouseUnavailable, `Payer unable to respond (AAA ${transient.code})`);
      }
      return result;
    },
  };
}

/** The adapter configured from the function's environment (the key from Secrets Manager when deployed). */
export function stediEligibilityAdapterFromEnv(): EligibilityPort {
  return createStediEligibilityAdapter({ baseUrl: requireEnv('clearinghouseBaseUrl'), apiKey: secretProvider('clearinghouseApiKey') });
}

const RELATIONSHIP_CODES = { spouse: '01', child: '19', other: '34' } as const;

/** Maps the domain request to the clearinghouse's JSON (dates as YYYYMMDD; one service type code). */
export function toStediRequest(request: EligibilityRequest): StediEligibilityRequest {
  const { subscriber, dependent } = request;
  return {
    controlNumber: request.controlNumber,
    tradingPartnerServiceId: request.payer.id,
    ...(request.payer.name ? { tradingPartnerName: request.payer.name.slice(0, 60) } : {}),
    provider: { npi: request.provider.npi, organizationName: request.provider.organizationName },
    subscriber: {
      memberId: subscriber.memberId,
      firstName: subscriber.firstName,
      lastName: subscriber.lastName,
      dateOfBirth: compactDate(subscriber.birthDate),
      ...(subscriber.groupNumber ? { groupNumber: subscriber.groupNumber } : {}),
    },
    ...(dependent
      ? {
          dependents: [
            {
              firstName: dependent.firstName,
              lastName: dependent.lastName,
              dateOfBirth: compactDate(dependent.birthDate),
              individualRelationshipCode: RELATIONSHIP_CODES[dependent.relationship],
            },
          ],
        }
      : {}),
    encounter: {
      serviceTypeCodes: [request.serviceTypeCode],
      ...(request.dateOfService ? { dateOfService: compactDate(request.dateOfService) } : {}),
    },
  };
}

/** Maps the clearinghouse's JSON to the domain response: amounts to integer cents, percentages to 0–100. */
export function fromStediResponse(body: StediEligibilityResponse): EligibilityResponse {
  return {
    planStatus: (body.planStatus ?? []).flatMap((p) =>
      p.statusCode ? [{ statusCode: p.statusCode, serviceTypeCodes: p.serviceTypeCodes ?? [] }] : [],
    ),
    benefitsInformation: (body.benefitsInformation ?? []).flatMap((b): BenefitEntry[] => {
      if (!b.code) return [];
      const amountCents = b.benefitAmount ? parseDollarsToCents(b.benefitAmount) : undefined;
      const percent = b.benefitPercent ? parseDecimalPercent(b.benefitPercent) : undefined;
      return [
        {
          code: b.code,
          serviceTypeCodes: b.serviceTypeCodes ?? [],
          ...(amountCents !== undefined ? { amountCents } : {}),
          ...(percent !== undefined ? { percent } : {}),
          ...(b.timeQualifierCode ? { timeQualifierCode: b.timeQualifierCode } : {}),
          ...(b.inPlanNetworkIndicatorCode ? { inPlanNetworkIndicatorCode: b.inPlanNetworkIndicatorCode } : {}),
          ...(b.coverageLevelCode ? { coverageLevelCode: b.coverageLevelCode } : {}),
          ...(b.authOrCertIndicator ? { authOrCertIndicator: b.authOrCertIndicator } : {}),
          ...detailsOf(b),
        },
      ];
    }),
    errors: (body.errors ?? []).flatMap((e) =>
      e.code ? [{ code: e.code, ...(e.followupAction ? { followupAction: e.followupAction } : {}) }] : [],
    ),
  };
}

/** A 400 whose body is a 271 carrying AAA errors (codes as X12 gives them), as the domain response; else undefined. */
async function aaaRejectionIn(response: Response): Promise<EligibilityResponse | undefined> {
  try {
    const parsed = stediEligibilityResponseSchema.safeParse(await response.json());
    if (!parsed.success) return undefined;
    const result = fromStediResponse(parsed.data);
    return result.errors.length > 0 && result.errors.every((e) => /^[A-Z0-9]{1,3}$/.test(e.code)) ? result : undefined;
  } catch {
    return undefined;
  }
}

type StediBenefit = NonNullable<StediEligibilityResponse['benefitsInformation']>[number];

/** What a line says beyond its amounts: insurance type, quantities, deliveries, place of service, messages, entities. */
function detailsOf(b: StediBenefit): Partial<BenefitEntry> {
  const number = (value: string | null | undefined) => (value && Number.isFinite(Number(value)) ? Number(value) : undefined);
  const places = [
    ...(b.eligibilityAdditionalInformationList ?? []),
    ...(b.eligibilityAdditionalInformation ? [b.eligibilityAdditionalInformation] : []),
  ]
    .filter((i) => i.codeListQualifierCode === 'ZZ' && i.industryCode)
    .map((i) => i.industryCode as string);
  const messages = (b.additionalInformation ?? []).flatMap((i) => (i.description?.trim() ? [i.description.trim()] : []));
  const deliveries = (b.benefitsServiceDelivery ?? []).map((d) => ({
    ...(d.quantityQualifierCode ? { quantityQualifierCode: d.quantityQualifierCode } : {}),
    ...(number(d.quantity) !== undefined ? { quantity: number(d.quantity) } : {}),
    ...(d.timePeriodQualifierCode ? { timePeriodQualifierCode: d.timePeriodQualifierCode } : {}),
    ...(number(d.numOfPeriods) !== undefined ? { numberOfPeriods: number(d.numOfPeriods) } : {}),
  }));
  const entities = (b.benefitsRelatedEntities ?? []).flatMap((e) =>
    e.entityIdentifier
      ? [
          {
            entityIdentifier: e.entityIdentifier,
            ...(e.entityName ? { name: e.entityName } : {}),
            ...(e.entityIdentificationValue ? { identifier: e.entityIdentificationValue } : {}),
          },
        ]
      : [],
  );
  const quantity = number(b.benefitQuantity);
  const period = periodOfDates(b.benefitsDateInformation);
  return {
    ...(period ? { period } : {}),
    ...(b.insuranceTypeCode ? { insuranceTypeCode: b.insuranceTypeCode } : {}),
    ...(b.planCoverage ? { planCoverage: b.planCoverage } : {}),
    ...(b.quantityQualifierCode ? { quantityQualifierCode: b.quantityQualifierCode } : {}),
    ...(quantity !== undefined ? { quantity } : {}),
    ...(deliveries.length ? { deliveries } : {}),
    ...(places.length ? { placesOfService: places } : {}),
    ...(messages.length ? { messages } : {}),
    ...(entities.length ? { relatedEntities: entities } : {}),
  };
}

/**
 * The days a line holds for, from Stedi's benefitsDateInformation: `benefit` / `eligibility` / `plan` as a range
 * ("20240101-20241231") or an "as of" day ("20240101": the start), or their `…Begin` / `…End` pairs. The first that
 * says anything wins.
 */
function periodOfDates(dates: Record<string, unknown> | null | undefined): { start?: string; end?: string } | undefined {
  if (!dates) return undefined;
  const iso = (d: unknown) =>
    typeof d === 'string' && /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : undefined;
  for (const name of ['benefit', 'eligibility', 'plan']) {
    // A range holds for its days; a single date is "as of" (the start), as in X12's D8 eligibility and plan dates.
    const range = dates[name];
    if (typeof range === 'string') {
      const [from, to] = range.split('-');
      const start = iso(from);
      const end = iso(to);
      if (start) return { start, ...(end ? { end } : {}) };
    }
    const start = iso(dates[`${name}Begin`]);
    const end = iso(dates[`${name}End`]);
    if (start || end) return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
  }
  return undefined;
}

const DECIMAL = /^\s*(\d*)(?:\.(\d*))?\s*$/;

/**
 * "25", "25.00", "1800.5" → cents, exactly (string arithmetic, no binary floating point); a third decimal rounds half
 * up. Anything else (negative, text) is undefined and the line is ignored.
 */
export function parseDollarsToCents(value: string): number | undefined {
  const match = DECIMAL.exec(value);
  if (!match || (!match[1] && !match[2])) return undefined;
  const fraction = (match[2] ?? '').padEnd(3, '0');
  const cents = Number(match[1] || '0') * 100 + Number(fraction.slice(0, 2));
  return Number(fraction[2]) >= 5 ? cents + 1 : cents;
}

/** The payer's decimal share ("0.2" means 20%) as a percentage; outside 0–1 is non-compliant and ignored. */
export function parseDecimalPercent(value: string): number | undefined {
  if (!DECIMAL.test(value) || !/\d/.test(value)) return undefined;
  const share = Number(value);
  if (!(share >= 0 && share <= 1)) return undefined;
  return Math.round(share * 1_000_000) / 10_000;
}

function compactDate(isoDate: string): string {
  return isoDate.replaceAll('-', '');
}
