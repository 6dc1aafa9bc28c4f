import { X12Parser } from 'node-x12';
import type { BenefitEntry, EligibilityResponse, PayerRejection } from '#functions/eligibility/eligibility-port.ts';
import { parseDecimalPercent, parseDollarsToCents } from '#functions/eligibility/stedi-eligibility-adapter.ts';

/**
 * Turns a raw X12 271 (4010 or 5010) into the eligibility port's `EligibilityResponse`, so the public 271 samples in
 * test/fixtures/eligibility-271 (format "x12") can feed the same corpus tests as the clearinghouse's JSON samples.
 * Test support only: the deployed adapter never sees X12 (the clearinghouse answers in JSON).
 *
 * The mapping follows 005010X279A1 (4010's 004010X092A1 is the same for these segments):
 * - each EB of a subscriber or dependent loop (2110C/2110D, HL03 "22"/"23") is one BenefitEntry, in document order;
 * - HSD, III*ZZ, MSG and the 2120 entities (NM1 between LS and LE) belong to the EB they follow, until the next EB or HL;
 * - every AAA, at any level (2000A … 2110C), is one PayerRejection, in document order; repeated codes are kept, since
 *   each segment is a separate rejection the payer sent (Health Net's sample sends 73 twice);
 * - `planStatus` stays empty: it is Stedi's own derived field, not an X12 segment.
 * Element values are trimmed: X12 variable-length elements carry no significant leading or trailing spaces, and some
 * samples pad segments with spaces before the line break (Texas Medicaid's).
 */
export function eligibilityResponseOfX12(x12: string): EligibilityResponse {
  const { segments, delimiters } = segmentsOfX12(x12);
  const response: EligibilityResponse = { planStatus: [], benefitsInformation: [], errors: [] };
  let inPatientLoop = false;
  let benefit: BenefitEntry | undefined;
  let inRelatedEntities = false;
  for (const segment of segments) {
    switch (segment.tag) {
      case 'ST':
      case 'SE':
      case 'HL':
        // A new hierarchical level (or transaction) ends the open 2110 loop; only 2000C/2000D carry benefits.
        inPatientLoop = segment.tag === 'HL' && ['22', '23'].includes(element(segment, 3) ?? '');
        benefit = undefined;
        inRelatedEntities = false;
        break;
      case 'AAA': {
        const rejection = rejectionOf(segment);
        if (rejection) response.errors.push(rejection);
        break;
      }
      case 'EB':
        inRelatedEntities = false;
        benefit = inPatientLoop ? benefitOf(segment, delimiters.repetition) : undefined;
        if (benefit) response.benefitsInformation.push(benefit);
        break;
      case 'LS':
        inRelatedEntities = benefit !== undefined;
        break;
      case 'LE':
        inRelatedEntities = false;
        break;
      case 'NM1':
        if (benefit && inRelatedEntities) benefit.relatedEntities = [...(benefit.relatedEntities ?? []), relatedEntityOf(segment)];
        break;
      case 'HSD':
        if (benefit) benefit.deliveries = [...(benefit.deliveries ?? []), deliveryOf(segment)];
        break;
      case 'III': {
        // III01 "ZZ" is the place-of-service qualifier; the other III form (III03/III04 nature of injury) is not read.
        const placeOfService = element(segment, 2);
        if (benefit && element(segment, 1) === 'ZZ' && placeOfService)
          benefit.placesOfService = [...(benefit.placesOfService ?? []), placeOfService];
        break;
      }
      case 'DTP': {
        // DTP*<qualifier>*D8*CCYYMMDD or *RD8*CCYYMMDD-CCYYMMDD: the days the benefit line holds for.
        const period = benefit ? periodOf(element(segment, 1), element(segment, 2), element(segment, 3)) : undefined;
        if (benefit && period) benefit.period = { ...benefit.period, ...period };
        break;
      }
      case 'MSG': {
        const text = element(segment, 1);
        if (benefit && text) benefit.messages = [...(benefit.messages ?? []), text];
        break;
      }
    }
  }
  return response;
}

/** One X12 segment: its tag and its elements, `elements[0]` being element 01, each value trimmed. */
export interface X12Segment {
  tag: string;
  elements: string[];
}

export interface X12Delimiters {
  element: string;
  component: string;
  segment: string;
  /** ISA11, when the version has one (00402 and later); before that ISA11 was the standards identifier "U". */
  repetition?: string;
}

/**
 * The segments of an interchange, and which tokenizer read them. node-x12 reads the delimiters at the ISA's fixed
 * offsets (3, 104, 105) and keeps whatever lies between terminators, so it is used only when its reading is sound;
 * otherwise the small tokenizer below reads the document. Exported so the tests can pin which samples need it.
 */
export function segmentsOfX12(x12: string): { segments: X12Segment[]; delimiters: X12Delimiters; tokenizer: 'node-x12' | 'fallback' } {
  const delimiters = delimitersOf(x12);
  const parsed = segmentsByNodeX12(x12, delimiters);
  if (parsed) return { segments: parsed, delimiters, tokenizer: 'node-x12' };
  return { segments: tokenize(x12, delimiters), delimiters, tokenizer: 'fallback' };
}

/**
 * The delimiters, read from the ISA by counting its 16 elements rather than by fixed offsets: the element separator
 * follows "ISA", the component separator is ISA16 and the segment terminator is the character after it. A sample whose
 * ISA is a character short (a padded ID trimmed by hand) still yields the right delimiters this way.
 */
function delimitersOf(x12: string): X12Delimiters & { isaFixedWidth: boolean } {
  const start = x12.indexOf('ISA');
  if (start < 0) throw new Error('Not an X12 interchange: no ISA segment');
  const element = x12.charAt(start + 3);
  let separator = start + 3;
  for (let count = 1; count < 16; count++) {
    separator = x12.indexOf(element, separator + 1);
    if (separator < 0) throw new Error('Not an X12 interchange: the ISA segment has fewer than 16 elements');
  }
  const isa = x12.slice(start, separator).split(element);
  const version = Number(isa[12]);
  return {
    element,
    component: x12.charAt(separator + 1),
    segment: x12.charAt(separator + 2),
    ...(version >= 402 && isa[11] ? { repetition: isa[11] } : {}),
    isaFixedWidth: start === 0 && separator === 103,
  };
}

/**
 * node-x12's (non-strict) reading, or undefined when it cannot be trusted for this document:
 * - the ISA is not exactly 106 characters at the start, so its fixed offsets would pick the wrong delimiters;
 * - an element holds a line break: a segment lost its terminator and node-x12 ran it into the next line;
 * - something other than the IEA/GE trailer follows the last terminator: node-x12 silently drops an unterminated
 *   last segment, which in a truncated sample may be a benefit line.
 * Non-strict, because public samples often carry stale SE/GE/IEA counts and control numbers that strict mode rejects.
 */
function segmentsByNodeX12(x12: string, delimiters: X12Delimiters & { isaFixedWidth: boolean }): X12Segment[] | undefined {
  if (!delimiters.isaFixedWidth) return undefined;
  const tail = x12.slice(x12.lastIndexOf(delimiters.segment) + 1).trim();
  if (tail && !tail.startsWith(`IEA${delimiters.element}`) && !tail.startsWith(`GE${delimiters.element}`)) return undefined;
  let parsed: ReturnType<X12Parser['parse']>;
  try {
    parsed = new X12Parser(false).parse(x12);
  } catch {
    return undefined;
  }
  const interchanges = 'interchanges' in parsed ? parsed.interchanges : [parsed];
  const raw = interchanges.flatMap((interchange) =>
    interchange.functionalGroups.flatMap((group) =>
      group.transactions.flatMap((transaction) => [transaction.header, ...transaction.segments, transaction.trailer]),
    ),
  );
  const segments = raw.filter((segment) => segment !== undefined);
  if (segments.some((segment) => segment.elements.some(({ value }) => /[\r\n]/.test(value)))) return undefined;
  return segments.map((segment) => ({ tag: segment.tag, elements: segment.elements.map(({ value }) => value.trim()) }));
}

/**
 * The fallback tokenizer, for the samples node-x12 misreads (see segmentsByNodeX12). It splits on the terminator found
 * after ISA16 and also at line breaks: X12 data may not contain CR or LF, so a line break inside a "segment" can only be
 * formatting or a lost terminator. It needs no IEA or GE (nothing here reads the envelope's trailers or counts).
 */
function tokenize(x12: string, delimiters: X12Delimiters): X12Segment[] {
  return x12
    .slice(x12.indexOf('ISA'))
    .split(delimiters.segment)
    .flatMap((raw) => raw.split(/\r\n|\r|\n/))
    .map((raw) => raw.trim())
    .filter((raw) => raw.length > 0)
    .map((raw) => {
      const [tag = '', ...elements] = raw.split(delimiters.element);
      return { tag: tag.trim(), elements: elements.map((value) => value.trim()) };
    });
}

/** Element `position` (1-based, as X12 numbers them), or undefined when absent or empty. */
function element(segment: X12Segment, position: number): string | undefined {
  return segment.elements[position - 1] || undefined;
}

function numberOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** The object without its undefined properties: the port's optional fields are absent, never present as undefined. */
function withoutAbsent<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/**
 * EB01–EB12. EB03 is a repeating element from 00402 on (split on ISA11); in 4010 it holds one code. EB13 (a procedure
 * as a composite) and EB14 are not part of the port.
 */
function benefitOf(eb: X12Segment, repetition: string | undefined): BenefitEntry {
  const serviceTypes = element(eb, 3);
  const amount = element(eb, 7);
  const percent = element(eb, 8);
  return withoutAbsent<BenefitEntry>({
    code: element(eb, 1) ?? '',
    coverageLevelCode: element(eb, 2),
    serviceTypeCodes: serviceTypes ? (repetition ? serviceTypes.split(repetition) : [serviceTypes]).filter((code) => code !== '') : [],
    insuranceTypeCode: element(eb, 4),
    planCoverage: element(eb, 5),
    timeQualifierCode: element(eb, 6),
    amountCents: amount === undefined ? undefined : parseDollarsToCents(amount),
    percent: percent === undefined ? undefined : parseDecimalPercent(percent),
    quantityQualifierCode: element(eb, 9),
    quantity: numberOf(element(eb, 10)),
    authOrCertIndicator: element(eb, 11),
    inPlanNetworkIndicatorCode: element(eb, 12),
  });
}

/** HSD01 quantity qualifier, HSD02 quantity, HSD05 time period qualifier, HSD06 number of periods. */
function deliveryOf(hsd: X12Segment): NonNullable<BenefitEntry['deliveries']>[number] {
  return withoutAbsent({
    quantityQualifierCode: element(hsd, 1),
    quantity: numberOf(element(hsd, 2)),
    timePeriodQualifierCode: element(hsd, 5),
    numberOfPeriods: numberOf(element(hsd, 6)),
  });
}

/** NM101 entity, NM103 last or organisation name (with NM104 first name, when sent), NM109 identifier. */
function relatedEntityOf(nm1: X12Segment): NonNullable<BenefitEntry['relatedEntities']>[number] {
  const lastName = element(nm1, 3);
  const firstName = element(nm1, 4);
  return withoutAbsent({
    entityIdentifier: element(nm1, 1) ?? '',
    name: lastName && firstName ? `${lastName} ${firstName}` : (lastName ?? firstName),
    identifier: element(nm1, 9),
  });
}

/** AAA03 reject reason and AAA04 follow-up action; an AAA without a reason (not valid X12) is not a rejection. */
function rejectionOf(aaa: X12Segment): PayerRejection | undefined {
  const code = element(aaa, 3);
  return code ? withoutAbsent({ code, followupAction: element(aaa, 4) }) : undefined;
}

/** DTP qualifiers whose one date (D8) starts a line's validity, and those that end it (X12 005010X279A1, 2110C DTP). */
const STARTS = new Set(['193', '291', '292', '307', '346', '348', '356']);
const ENDS = new Set(['194', '347', '349', '357']);

/**
 * The days a DTP says a benefit line holds for: an RD8 range as is; a D8 as the start (eligibility, plan, benefit,
 * period start: "as of") or the end (…end) of the validity. Other dates (a latest visit, a completion) are not a period.
 */
export function periodOf(
  qualifier: string | undefined,
  format: string | undefined,
  value: string | undefined,
): { start?: string; end?: string } | undefined {
  const iso = (d: string | undefined) => (d && /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : undefined);
  const isPeriod = STARTS.has(qualifier ?? '') || ENDS.has(qualifier ?? '');
  if (!isPeriod) return undefined;
  if (format === 'RD8') {
    const [from, to] = (value ?? '').split('-');
    const start = iso(from);
    const end = iso(to);
    return start && end ? { start, end } : undefined;
  }
  const day = format === 'D8' ? iso(value) : undefined;
  if (!day) return undefined;
  return ENDS.has(qualifier ?? '') ? { end: day } : { start: day };
}
