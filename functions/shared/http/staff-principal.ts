import { STAFF_CLAIMS, STAFF_ROLES, type StaffPrincipal, type StaffRole } from '#contract/staff-roles.ts';
import { HttpError } from './http-error.ts';
import { pathIds } from './path-parameters.ts';

/** The parts of an HTTP API (payload 2.0) event with a JWT authorizer that `staffPrincipal` reads. */
export interface StaffEvent {
  pathParameters?: Record<string, string | undefined>;
  requestContext: { authorizer?: { jwt?: { claims?: Record<string, unknown> | null; scopes?: string[] | null } | null } | null };
}

const KNOWN_ROLES: ReadonlySet<string> = new Set(STAFF_ROLES);

/**
 * The person behind a staff request, allowed to act for the path's clinic in one of `roles`. API Gateway's JWT
 * authorizer has already checked the token (issuer, audience, signature, expiry) and hands its claims over; this
 * requires an ID token (the one carrying the clinic and the groups), the path's clinic, and a role: 401 without a
 * person, 403 for another clinic or none of the roles. Unknown groups are ignored, so a group added in the pool grants
 * nothing until the code knows it.
 */
export function staffPrincipal(
  event: StaffEvent,
  roles: readonly StaffRole[],
  /** A route about the whole deployment (the ops view, `/v1/ops/…`): no clinic in the path to match. */
  options: { deploymentWide?: boolean } = {},
): StaffPrincipal {
  if (!options.deploymentWide) pathIds(event, ['clinicId']);
  const claims = event.requestContext.authorizer?.jwt?.claims;
  const userId = stringClaim(claims?.sub);
  if (!claims || !userId || claims[STAFF_CLAIMS.tokenUse] !== 'id') throw HttpError.withMessage(401, 'Unauthorized');
  const clinicId = stringClaim(claims[STAFF_CLAIMS.clinicId]);
  const held = groupsOf(claims[STAFF_CLAIMS.groups]).filter((group): group is StaffRole => KNOWN_ROLES.has(group));
  if (!clinicId || (!options.deploymentWide && clinicId !== event.pathParameters?.clinicId)) throw HttpError.withMessage(403, 'Forbidden');
  if (!held.some((role) => roles.includes(role))) throw HttpError.withMessage(403, 'Forbidden');
  return { userId, username: stringClaim(claims[STAFF_CLAIMS.username]) ?? userId, clinicId, roles: held };
}

/** How the principal is named in audit records and decisions: the person's stable user ID. */
export const staffActor = (principal: Pick<StaffPrincipal, 'userId'>) => `user:${principal.userId}`;

const stringClaim = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * `cognito:groups` as an array (a verified token's JSON) or as API Gateway passes array claims to a Lambda: one string,
 * `"[front-desk billing]"`.
 */
export function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[/, '')
    .replace(/\]$/, '')
    .split(/[\s,]+/)
    .filter((group) => group.length > 0);
}
