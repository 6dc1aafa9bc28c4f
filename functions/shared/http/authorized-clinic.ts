import { HttpError } from './http-error.ts';
import { pathIds } from './path-parameters.ts';

/** What a successful authorization hands the route handler (event.requestContext.authorizer.lambda). */
export interface ClinicAuthorization {
  clinicId: string;
  keyId: string;
}

/** The parts of an HTTP API (payload 2.0) event that `authorizedClinic` reads. */
export interface AuthorizedEvent {
  pathParameters?: Record<string, string | undefined>;
  requestContext: { authorizer?: { lambda?: Partial<ClinicAuthorization> | null } | null };
}

/**
 * The clinic and API key the authorizer accepted. The authorizer already scopes a key to the clinic in the path; this
 * checks it again (defence in depth), so a misrouted or misconfigured route can never serve another clinic's data.
 */
export function authorizedClinic(event: AuthorizedEvent): ClinicAuthorization {
  pathIds(event, ['clinicId']);
  const context = event.requestContext.authorizer?.lambda;
  if (!context?.clinicId || !context.keyId) throw HttpError.withMessage(401, 'Unauthorized');
  if (context.clinicId !== event.pathParameters?.clinicId) throw HttpError.withMessage(403, 'Forbidden');
  return { clinicId: context.clinicId, keyId: context.keyId };
}
