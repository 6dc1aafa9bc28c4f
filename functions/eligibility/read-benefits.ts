import type { Accumulator, BenefitsReading, Period } from '#model/benefits-reading.ts';
import type { BenefitEntry, EligibilityResponse, PayerRejection } from './eligibility-port.ts';

/**
 * Reads a 271 for one service type as an insurance verification specialist would (benefits-reading.ts): only lines for
 * the clinic's network, only lines for an office setting, the service's own lines before a related service's before
 * the plan's, each term (copay, coinsurance, deductible, out-of-pocket, limits) on its own. Where the lines that remain
 * disagree, it says so in `uncertain` rather than picking one. Pure: no AWS.
 */

/** Plan-level lines: service type 30, or none. */
export const PLAN_LEVEL = '30';
const MEDICAL_CARE = '1';
const PHARMACY = '88';

/**
 * Codes a payer may answer under instead of the one asked (X12 service types): physical medicine for physical therapy,
 * psychiatric and psychotherapy lines for mental health. Imaging has none: diagnostic X-ray (4) lines also carry
 * unrelated services, and an MRI's terms are not an X-ray's.
 */
const RELATED_SERVICE_TYPES: Readonly<Record<string, readonly string[]>> = {
  PT: ['AE'],
  AE: ['PT'],
  '98': ['BY'],
  MH: ['A4', 'A6', '22'],
};

const ACTIVE_CODES = new Set(['1', '2', '3', '4', '5']);
const INACTIVE_CODES = new Set(['6', '7', '8']);

/** AAA codes that mean the payer could not identify the member or patient: staff check the card and correct it. */
export const MEMBER_NOT_FOUND_CODES: ReadonlySet<string> = new Set(['64', '67', '72', '75', '76', '77', '78']);

/** Standard X12 AAA03 meanings for the codes staff most often see; generic text, never the payer's. */
export const AAA_MEANINGS: Readonly<Record<string, string>> = {
  '15': 'required data missing',
  '33': 'input errors',
  '41': 'authorization or access restrictions',
  '42': 'payer unable to respond now',
  '43': 'invalid or missing provider identification',
  '44': 'invalid or missing provider name',
  '50': 'provider ineligible for inquiries',
  '51': 'provider not on file with the payer',
  '56': 'inappropriate date',
  '57': 'invalid or missing date of service',
  '58': 'invalid or missing date of birth',
  '62': 'date of service outside the allowed inquiry period',
  '64': 'invalid or missing patient ID',
  '65': 'invalid or missing patient name',
  '67': 'patient not found',
  '71': 'birth date does not match the payer’s record',
  '72': 'invalid or missing member ID',
  '73': 'invalid or missing subscriber name',
  '75': 'subscriber not found',
  '76': 'duplicate member ID',
  '77': 'subscriber found, patient not found',
  '78': 'subscriber not in the group or plan',
  '79': 'invalid participant identification',
  '80': 'no response from the payer',
  T4: 'payer name or identifier missing',
};

/** Words of a line's messages that mark another setting than a visit in the office (so not this visit's terms). */
const OTHER_SETTING =
  /\b(URGENT|EMERGENCY|ER VISIT|INPATIENT|TELE ?HEALTH|TELEMEDICINE|VIRTUAL|PHARMACY|DRUGS?|RX|MAIL ORDER|RETAIL|AMBULANCE|HOSPITAL|PROGRAM)\b/i;
/** For an office visit (98): lines for preventive care are another visit's; those for a specialist or a PCP, one kind's. */
const PREVENTIVE = /\b(PREVENTIVE|PREVENTATIVE|WELL(NESS)?|ROUTINE|PHYSICAL EXAM)\b/i;
const SPECIALIST = /\b(SPECIALISTS?|SPECIALTY)\b/i;
const PRIMARY_CARE = /\b(PCP|PRIMARY CARE|PRIMARY PHYSICIAN)\b/i;
/** Places of service (III ZZ) of a visit at the clinic: office (11) and independent clinic (49). */
const OFFICE_PLACES = new Set(['11', '49']);

/** The payer saying the provider (the clinic) is out of network for this member; not "in and out of network" limits. */
const OUT_OF_NETWORK_WORDS = /\bPROVIDER\b[^.]*\bOUT[- ]?(OF[- ])?NETWORK\b|\bNON[- ]?PARTICIPATING PROVIDER\b/i;
const PRIOR_AUTH_WORDS = /\b(PRIOR AUTH\w*|PRE-?AUTH\w*|PRE-?CERT\w*|PRECERTIFICATION|AUTHORI[ZS]ATION REQUIRED|REQUIRES? AUTH\w*)\b/i;
const MAY_BE = /\bMAY\b/i;
const NOT_REQUIRED = /\b(NO|NOT)\b[^.]*\b(REQUIRED|NEEDED)\b|\bNO (PRIOR AUTH\w*|PRE-?CERT\w*)\b/i;

/** EB06 of a total for a period (not "24" year to date, what is met, nor "29" what remains). */
const TOTAL_PERIODS = new Set(['21', '22', '23', '25', '32', '']);

const PERIODS: Readonly<Record<string, Period>> = {
  '21': 'calendar-year',
  '22': 'service-year',
  '23': 'calendar-year',
  '25': 'plan-year',
  '29': 'other',
  '32': 'lifetime',
  '27': 'visit',
  '7': 'day',
  '34': 'month',
};

export interface ReadingRequest {
  serviceTypeCode: string;
  /**
   * For an office visit (98): whether the visit is with a primary care provider or a specialist (the appointment
   * type's `officeVisit`). Unsaid, a response with a copay for each leaves the reading to a person.
   */
  officeVisit?: 'primary-care' | 'specialist';
  /** The day the coverage is read for (YYYY-MM-DD): lines dated for other days are left out. Absent: any day. */
  on?: string;
  /** The clinic's network status with the payer (catalog setting); in network unless the clinic says otherwise. */
  network?: 'IN' | 'OUT';
  /**
   * The patient's other plans on file (payer IDs and names), whose order with this one coordination of benefits decides:
   * the payer listing one as other coverage is no question.
   */
  otherPlansOnFile?: readonly string[];
}

export function readBenefits(response: EligibilityResponse, request: ReadingRequest): BenefitsReading {
  const stc = request.serviceTypeCode;
  const network = request.network ?? 'IN';
  // Lines dated for other days (a past inactive period, last year's accumulators) say nothing of this one.
  const lines = response.benefitsInformation.filter((l) => !request.on || holdsOn(l, request.on));
  const medicaid = lines.some((l) => ACTIVE_CODES.has(l.code) && l.insuranceTypeCode === 'MC');
  const reading: BenefitsReading = {
    status: 'UNKNOWN',
    serviceTypeCode: stc,
    network,
    notCovered: false,
    priorAuthorization: 'UNKNOWN',
    otherPayers: otherPayersOf(lines, medicaid),
    // The payer's words about this service and the plan, not every line's (other services' can name a condition).
    payerMessages: [
      ...new Set(
        lines
          .filter(
            (l) =>
              isPlanLevel(l) ||
              l.code === 'R' ||
              l.serviceTypeCodes.some((c) => c === stc || (RELATED_SERVICE_TYPES[stc] ?? []).includes(c)),
          )
          .flatMap((l) => l.messages ?? []),
      ),
    ],
    uncertain: [],
  };
  if (lines.some((l) => l.insuranceTypeCode === 'QM' && (ACTIVE_CODES.has(l.code) || l.code === 'R'))) reading.costSharingWaived = 'QMB';
  if (response.errors.length > 0) return { ...reading, status: 'REJECTED', rejection: rejectionOf(response.errors) };

  // Accumulators (deductible, out-of-pocket) are the plan's, whatever setting their words name; visit terms are not.
  const ourNetwork = lines.filter((l) => inNetwork(l, network));
  const ours = ourNetwork.filter((l) => forThisSetting(l, stc, request.officeVisit));
  const order = [[stc], RELATED_SERVICE_TYPES[stc] ?? []] as const;
  const answer = (keep: (l: BenefitEntry) => boolean) => answerFor(ours.filter(keep), stc);

  // Status: the service's own lines first (any network: status is the plan's, not the network's).
  // The deprecated planStatus is read when no EB status line came (older payer connections send only it).
  const isStatus = (l: Pick<BenefitEntry, 'code'>) => ACTIVE_CODES.has(l.code) || INACTIVE_CODES.has(l.code);
  const status = answerFor(
    lines.some(isStatus)
      ? lines.filter(isStatus)
      : response.planStatus.map((p) => ({ code: p.statusCode, serviceTypeCodes: p.serviceTypeCodes })).filter(isStatus),
    stc,
  );
  const statusLines = status.lines;
  const active = statusLines.some((l) => ACTIVE_CODES.has(l.code));
  const inactive = statusLines.some((l) => INACTIVE_CODES.has(l.code));
  reading.status = active ? 'ACTIVE' : inactive ? 'INACTIVE' : 'UNKNOWN';
  if (active && inactive) reading.uncertain.push(`The payer reports both active and inactive coverage for service type ${stc}.`);
  if (statusLines.some((l) => l.code === '5')) reading.uncertain.push('The payer reports the coverage active pending investigation.');
  if (reading.status === 'UNKNOWN') reading.uncertain.push(`The response gives no coverage status for service type ${stc}.`);

  reading.notCovered = ours.some((l) => l.code === 'I' && l.serviceTypeCodes.some((c) => order.flat().includes(c)));

  const copay = answer((l) => l.code === 'B' && l.amountCents !== undefined);
  const copays = distinct(copay.lines.map((l) => l.amountCents));
  if (copays.length === 1) reading.copayCents = copays[0];
  else if (copays.length > 1)
    reading.uncertain.push(
      `The payer lists several copays for this visit (${copays.map(dollars).join(', ')}) without saying which applies.`,
    );

  const coinsurance = answer((l) => l.code === 'A' && l.percent !== undefined);
  const shares = distinct(coinsurance.lines.map((l) => l.percent));
  if (shares.length === 1) reading.coinsurancePercent = shares[0];
  else if (shares.length > 1) reading.uncertain.push(`The payer lists several coinsurance rates for this visit (${shares.join('%, ')}%).`);

  // Terms only for the other network: a careful person does not quote them for this visit, nor assume nothing is owed.
  const costCodes = new Set(['A', 'B', 'C']);
  const otherNetworkOnly =
    copay.lines.length + coinsurance.lines.length === 0 &&
    !ours.some((l) => l.code === 'C' && (isPlanLevel(l) || l.serviceTypeCodes.some((c) => order.flat().includes(c)))) &&
    lines.some(
      (l) =>
        costCodes.has(l.code) && !inNetwork(l, network) && l.serviceTypeCodes.some((c) => order.flat().includes(c) || c === PLAN_LEVEL),
    );
  // The payer saying the service is not covered in this network is an answer, not missing terms.
  if (otherNetworkOnly && !reading.notCovered) {
    reading.uncertain.push(`The payer gives cost sharing for this service only ${network === 'IN' ? 'out of' : 'in'} network.`);
  }
  // The service's own terms given only for the other network, ours only by the plan: the plan's may not be the service's.
  const fromPlan = (under: string | undefined) => under === undefined || under === PLAN_LEVEL;
  const serviceTermsElsewhere = lines.some(
    (l) => (l.code === 'A' || l.code === 'B') && !inNetwork(l, network) && l.serviceTypeCodes.some((c) => order.flat().includes(c)),
  );
  if (
    stc !== PLAN_LEVEL &&
    !otherNetworkOnly &&
    !reading.notCovered &&
    fromPlan(copay.under) &&
    fromPlan(coinsurance.under) &&
    serviceTermsElsewhere
  ) {
    reading.uncertain.push(
      `The payer gives this service's own terms only ${network === 'IN' ? 'out of' : 'in'} network; the plan's general terms may not apply to it.`,
    );
  }
  const answeredUnder = copay.under ?? coinsurance.under ?? status.under;
  if (answeredUnder) reading.answeredUnder = answeredUnder;

  const deductible = accumulators(ourNetwork, 'C', order.flat(), reading.uncertain, 'deductible');
  if (deductible) reading.deductible = deductible;
  const outOfPocket = accumulators(ourNetwork, 'G', order.flat(), reading.uncertain, 'out-of-pocket maximum');
  if (outOfPocket) {
    const { waivedForService: _, ...oop } = outOfPocket;
    reading.outOfPocket = oop;
  }

  const limit = visitLimitOf(answer((l) => l.code === 'F').lines);
  if (limit) reading.visitLimit = limit;
  if (limit?.remaining === 0) reading.uncertain.push('The payer reports no visits left for this service this period.');

  // What a careful person would not act on without asking: another payer first, or the payer saying we are out of network.
  const primary = reading.otherPayers.filter((p) => p.primary);
  if (primary.length > 0) {
    reading.uncertain.push(`Another payer is primary (${primary.map(payerLabel).join(', ')}): bill it first.`);
  }
  // Said of the provider, so of every service, on whichever line the payer put it.
  if (network === 'IN' && lines.some((l) => (l.messages ?? []).some((m) => OUT_OF_NETWORK_WORDS.test(m)))) {
    reading.uncertain.push('The payer says the provider is out of network for this member, while the clinic is set as in network.');
  }

  // Other coverage whose order the payer leaves unsaid: someone asks (Medicaid always pays last, so any is a question).
  const unordered = reading.otherPayers.filter((p) => !p.primary && p.insuranceTypeCode !== 'QM' && !onFile(p, request.otherPlansOnFile));
  if (primary.length === 0 && unordered.length > 0 && !reading.notCovered) {
    reading.uncertain.push(
      medicaid
        ? 'Medicaid pays last, and the response lists other coverage: bill it first, or confirm it has ended.'
        : `The payer lists other coverage (${unordered.map(payerLabel).join(', ')}) without saying which pays first.`,
    );
  }

  if (reading.status === 'ACTIVE' && !reading.notCovered && reading.costSharingWaived === undefined) {
    // No copay or coinsurance at any level: what the patient owes is not given (Medicaid's members owe nothing unsaid).
    // A plan-level inquiry (30) asks about the plan, not a visit.
    if (stc !== PLAN_LEVEL && !medicaid && copays.length + shares.length === 0) {
      reading.uncertain.push('The payer gives no copay or coinsurance for this service: what the patient owes is not known.');
    }
    // Coinsurance with no deductible anywhere: whether the visit is subject to one is not known.
    if (reading.copayCents === undefined && reading.coinsurancePercent !== undefined && reading.coinsurancePercent > 0 && !deductible) {
      reading.uncertain.push('The payer gives coinsurance but no deductible: whether this visit is subject to one is not known.');
    }
    // A copay once the out-of-pocket maximum is met: whether it is still owed depends on the plan.
    if (reading.copayCents !== undefined && reading.copayCents > 0 && reading.outOfPocket?.individual?.remainingCents === 0) {
      reading.uncertain.push('The out-of-pocket maximum is met, and the payer still lists a copay: ask whether it is owed.');
    }
    // A deductible waived for this service in words that narrow it (e.g. one test of the kind): not for every visit.
    const waiverWords = ourNetwork.filter(
      (l) =>
        l.code === 'C' && l.amountCents === 0 && l.serviceTypeCodes.some((c) => order.flat().includes(c)) && (l.messages ?? []).length > 0,
    );
    if (reading.deductible?.waivedForService && waiverWords.length > 0) {
      reading.uncertain.push(
        `The deductible is waived only as the payer words it: "${waiverWords.flatMap((l) => l.messages ?? []).join('; ')}".`,
      );
    }
  }

  // Prior authorization from the service's own (or its related codes') lines: the plan's status line says nothing of it.
  reading.priorAuthorization = priorAuthorizationOf(
    ours.filter(
      (l) =>
        l.serviceTypeCodes.some((c) => order.flat().includes(c)) &&
        !(isPlanLevel(l) && (ACTIVE_CODES.has(l.code) || INACTIVE_CODES.has(l.code))),
    ),
    reading.uncertain,
  );

  return reading;
}

function rejectionOf(errors: PayerRejection[]): NonNullable<BenefitsReading['rejection']> {
  const notFound = errors.find((e) => MEMBER_NOT_FOUND_CODES.has(e.code));
  const first = notFound ?? (errors[0] as PayerRejection);
  return {
    code: first.code,
    meaning: AAA_MEANINGS[first.code] ?? 'see the payer’s reject reason code',
    memberNotFound: notFound !== undefined,
  };
}

/**
 * Of some lines, those for the service asked, else those of a related service type, else the plan's; and the service
 * type that answered (the first of the asked or related codes the lines carry, or 30).
 */
function answerFor<T extends Pick<BenefitEntry, 'serviceTypeCodes'>>(lines: T[], stc: string): { lines: T[]; under?: string } {
  for (const codes of [[stc], RELATED_SERVICE_TYPES[stc] ?? []]) {
    const found = lines.filter((l) => l.serviceTypeCodes.some((c) => codes.includes(c)));
    const first = codes.find((c) => found.some((l) => l.serviceTypeCodes.includes(c)));
    if (found.length > 0) return { lines: found, ...(first ? { under: first } : {}) };
  }
  const planLevel = lines.filter(isPlanLevel);
  return planLevel.length > 0 ? { lines: planLevel, under: PLAN_LEVEL } : { lines: [] };
}

/** Plan level: no service type, 30 (health benefit plan coverage) or 1 (medical care, which every visit here is). */
const isPlanLevel = (line: Pick<BenefitEntry, 'serviceTypeCodes'>) =>
  line.serviceTypeCodes.length === 0 || line.serviceTypeCodes.includes(PLAN_LEVEL) || line.serviceTypeCodes.includes(MEDICAL_CARE);

/** In network: Y, W (both) or unsaid; out of network: N, W or unsaid. */
function inNetwork(line: BenefitEntry, network: 'IN' | 'OUT'): boolean {
  const indicator = line.inPlanNetworkIndicatorCode;
  if (indicator === undefined || indicator === 'W' || indicator === 'U') return true;
  return network === 'IN' ? indicator === 'Y' : indicator === 'N';
}

/**
 * Whether a line may set the terms of this visit: not one marked for another setting by its place of service or words,
 * nor, for an office visit (98), one for preventive care, or for the other kind of provider when the visit's is known.
 */
function forThisSetting(line: BenefitEntry, stc: string, officeVisit: ReadingRequest['officeVisit']): boolean {
  if (line.placesOfService?.length && !line.placesOfService.some((p) => OFFICE_PLACES.has(p))) return false;
  const text = (line.messages ?? []).join(' ');
  // Pharmacy asked (88): its own words are not another setting.
  if (stc !== PHARMACY && OTHER_SETTING.test(text)) return false;
  if (stc !== '98' || PRIMARY_CARE.test(text) === SPECIALIST.test(text)) return !(stc === '98' && PREVENTIVE.test(text));
  if (PREVENTIVE.test(text)) return false;
  if (officeVisit === 'primary-care') return !SPECIALIST.test(text);
  if (officeVisit === 'specialist') return !PRIMARY_CARE.test(text);
  return true;
}

/** Deductible (C) or out-of-pocket (G) totals and remainders per coverage level; a $0 service line over a plan one is a waiver. */
function accumulators(
  lines: BenefitEntry[],
  code: 'C' | 'G',
  serviceCodes: string[],
  uncertain: string[],
  what: string,
): BenefitsReading['deductible'] | undefined {
  const all = lines.filter((l) => l.code === code && l.amountCents !== undefined);
  const service = all.filter((l) => l.serviceTypeCodes.some((c) => serviceCodes.includes(c)));
  const plan = all.filter(isPlanLevel);
  const waived = service.length > 0 && service.every((l) => l.amountCents === 0) && plan.some((l) => (l.amountCents ?? 0) > 0);
  const used = service.length > 0 && !waived ? service : plan;
  if (used.length === 0) return undefined;
  const level = (coverage: 'IND' | 'FAM'): Accumulator | undefined => {
    const ofLevel = used.filter(
      (l) => (l.coverageLevelCode ?? 'IND') === coverage || (coverage === 'IND' && l.coverageLevelCode === 'EMP'),
    );
    const totals = distinct(ofLevel.filter((l) => TOTAL_PERIODS.has(l.timeQualifierCode ?? '')).map((l) => l.amountCents));
    const remaining = distinct(ofLevel.filter((l) => l.timeQualifierCode === '29').map((l) => l.amountCents));
    if (totals.length > 1 || remaining.length > 1) {
      uncertain.push(`The payer lists several ${coverage === 'IND' ? 'individual' : 'family'} ${what} amounts for this visit.`);
    }
    const period = ofLevel.map((l) => PERIODS[l.timeQualifierCode ?? '']).find((p) => p && p !== 'other');
    const accumulator: Accumulator = {
      ...(totals.length === 1 ? { totalCents: totals[0] } : {}),
      ...(remaining.length === 1 ? { remainingCents: remaining[0] } : {}),
      ...(period ? { period } : {}),
    };
    return Object.keys(accumulator).length > 0 ? accumulator : undefined;
  };
  const individual = level('IND');
  const family = level('FAM');
  return {
    ...(individual ? { individual } : {}),
    ...(family ? { family } : {}),
    ...(waived ? { waivedForService: true } : {}),
  };
}

/** A limitation (F) in visits: per period from its delivery (HSD) or its quantity; what remains or is used. */
function visitLimitOf(lines: BenefitEntry[]): BenefitsReading['visitLimit'] | undefined {
  let visits: number | undefined;
  let remaining: number | undefined;
  let used: number | undefined;
  let period: Period | undefined;
  for (const line of lines) {
    for (const delivery of line.deliveries ?? []) {
      if (delivery.quantityQualifierCode !== 'VS' || delivery.quantity === undefined) continue;
      if (line.timeQualifierCode === '29' || delivery.timePeriodQualifierCode === '29') remaining = delivery.quantity;
      else {
        visits = delivery.quantity;
        period = PERIODS[delivery.timePeriodQualifierCode ?? ''] ?? period;
      }
    }
    if (line.quantityQualifierCode === 'VS' && line.quantity !== undefined) {
      if (line.timeQualifierCode === '29') remaining = line.quantity;
      else if (line.timeQualifierCode === '24') used = line.quantity;
      else {
        visits = line.quantity;
        period = PERIODS[line.timeQualifierCode ?? ''] ?? period;
      }
    }
  }
  if (visits === undefined && remaining === undefined) return undefined;
  const usedSoFar = used ?? (visits !== undefined && remaining !== undefined ? visits - remaining : undefined);
  return {
    ...(visits !== undefined ? { visits } : {}),
    ...(remaining !== undefined ? { remaining } : {}),
    ...(usedSoFar !== undefined ? { used: usedSoFar } : {}),
    ...(period ? { period } : {}),
  };
}

function priorAuthorizationOf(lines: BenefitEntry[], uncertain: string[]): BenefitsReading['priorAuthorization'] {
  const said = lines.flatMap((l) => l.messages ?? []).filter((m) => PRIOR_AUTH_WORDS.test(m));
  const saysNotRequired = said.filter((m) => NOT_REQUIRED.test(m));
  const saysRequired = said.filter((m) => !NOT_REQUIRED.test(m) && !MAY_BE.test(m));
  if (lines.some((l) => l.authOrCertIndicator === 'Y') || saysRequired.length > 0) return 'REQUIRED';
  if (said.some((m) => MAY_BE.test(m)))
    uncertain.push('The payer says prior authorization may be required for this service: ask the payer.');
  if (lines.some((l) => l.authOrCertIndicator === 'N') || saysNotRequired.length > 0) return 'NOT_REQUIRED';
  return 'UNKNOWN';
}

/** EB04 Medicare Secondary Payer types on an other-payer line: that payer is primary, Medicare secondary. */
const MSP_TYPES = new Set(['12', '13', '14', '15', '16', '41', '42', '43', '47']);
const MEDICARE_TYPES = new Set(['MA', 'MB', 'MP']);

/** Loop 2120 entities that are payers (codes, or Stedi's names for them); not the insured, a provider or a plan sponsor. */
const PAYER_ENTITIES = /^(PR|PRP|SEP|TTP|Payer|Primary Payer|Secondary Payer|Tertiary Payer)$/i;

/**
 * Every other or additional payer the response names (EB*R), with its insurance type and whether it pays first
 * (Medicaid pays last: Medicare a Medicaid response names is primary).
 */
function otherPayersOf(lines: BenefitEntry[], medicaid: boolean): BenefitsReading['otherPayers'] {
  const payers: BenefitsReading['otherPayers'] = [];
  for (const line of lines.filter((l) => l.code === 'R')) {
    const named = (line.relatedEntities ?? []).filter((e) => PAYER_ENTITIES.test(e.entityIdentifier));
    const entities: NonNullable<BenefitEntry['relatedEntities']> = named.length ? named : [{ entityIdentifier: '' }];
    for (const entity of entities) {
      const primary =
        /^(PRP|Primary Payer)$/i.test(entity.entityIdentifier) ||
        (line.messages ?? []).some((m) => /\bPRIMARY\b/i.test(m)) ||
        MSP_TYPES.has(line.insuranceTypeCode ?? '') ||
        (medicaid && MEDICARE_TYPES.has(line.insuranceTypeCode ?? ''));
      payers.push({
        ...(entity.name ? { name: entity.name } : {}),
        ...(entity.identifier ? { payerId: entity.identifier } : {}),
        ...(line.insuranceTypeCode ? { insuranceTypeCode: line.insuranceTypeCode } : {}),
        ...(primary ? { primary: true } : {}),
      });
    }
  }
  return payers;
}

/** How the reading names an other payer in words for staff. */
const payerLabel = (payer: BenefitsReading['otherPayers'][number]) => payer.name ?? payer.insuranceTypeCode ?? 'unnamed';

/** An other payer the response names that is one of the patient's plans on file, by its ID or its name. */
const onFile = (payer: BenefitsReading['otherPayers'][number], plans: readonly string[] | undefined) =>
  (plans ?? []).some((plan) => plan === payer.payerId || plan.toUpperCase() === payer.name?.toUpperCase());

const holdsOn = (line: BenefitEntry, day: string) =>
  (!line.period?.start || line.period.start <= day) && (!line.period?.end || day <= line.period.end);
const distinct = (values: Array<number | undefined>): number[] => [...new Set(values.filter((v): v is number => v !== undefined))];
const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;
