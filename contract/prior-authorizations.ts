/**
 * A prior authorization's statuses, as staff and the API name them. A case opens OPEN (to submit), and staff record
 * what the payer did: SUBMITTED (sent, with the payer's reference), PENDING (the payer asks for more), APPROVED (an
 * authorization number, valid dates and units) or DENIED. EXPIRED is the system's: an approval whose last day passed
 * before the visit. NOT_REQUIRED: the payer says none is needed after all, or the patient pays for the visit
 * themselves; the visit is then confirmed as any. See functions/model/prior-authorization.ts for the rules.
 */
export const AUTHORIZATION_STATUSES = ['OPEN', 'SUBMITTED', 'PENDING', 'APPROVED', 'DENIED', 'EXPIRED', 'NOT_REQUIRED'] as const;
export type AuthorizationStatus = (typeof AUTHORIZATION_STATUSES)[number];

/** What staff may record; EXPIRED and OPEN are the system's. */
export const RECORDED_AUTHORIZATION_STATUSES = ['SUBMITTED', 'PENDING', 'APPROVED', 'DENIED', 'NOT_REQUIRED'] as const;
export type RecordedAuthorizationStatus = (typeof RECORDED_AUTHORIZATION_STATUSES)[number];

/** How the clinic knows the payer wants an authorization: the payer's 271 said so for the service, or its rules do. */
export const AUTHORIZATION_REQUIRED_BY = ['payer-response', 'payer-rule'] as const;
export type AuthorizationRequiredBy = (typeof AUTHORIZATION_REQUIRED_BY)[number];
