import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';

/** What API Gateway's JWT authorizer is configured with for staff routes (CDK HttpUserPoolAuthorizer). */
export interface StaffTokenIssuer {
  issuer: string;
  jwksUri: string;
  /** The app clients whose tokens are accepted (`aud` of an ID token, `client_id` of an access token). */
  audience: readonly string[];
}

/**
 * API Gateway's JWT authorizer, locally: the token from `Authorization: Bearer …` must be signed by a key of the
 * issuer's JWKS, come from the issuer, name an accepted client, and be within its validity. Like API Gateway it does not
 * look at `token_use`; the route's function does. The claims go to the function as API Gateway passes them: strings,
 * an array as one string `"[a b]"`. aws-jwt-verify's own fetcher speaks https only, so the JWKS is fetched with fetch.
 */
export function staffTokenAuthorizer(issuer: StaffTokenIssuer) {
  const verifier = JwtVerifier.create(
    {
      issuer: issuer.issuer,
      jwksUri: issuer.jwksUri,
      audience: null,
      customJwtCheck: ({ payload }) => {
        const clients = [payload.aud ?? payload.client_id].flat();
        if (!clients.some((client) => typeof client === 'string' && issuer.audience.includes(client)))
          throw new Error('audience not accepted');
      },
    },
    {
      jwksCache: new SimpleJwksCache({
        fetcher: {
          async fetch(uri: string) {
            const response = await fetch(uri, { signal: AbortSignal.timeout(3000) });
            if (!response.ok) throw new Error(`JWKS ${uri}: HTTP ${response.status}`);
            return response.arrayBuffer();
          },
        },
      }),
    },
  );
  /** The claims of a valid bearer token, or undefined (API Gateway answers 401). */
  return async (authorization: string | undefined): Promise<Record<string, string> | undefined> => {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return undefined;
    try {
      const payload = await verifier.verify(token);
      return Object.fromEntries(
        Object.entries(payload).map(([name, value]) => [name, Array.isArray(value) ? `[${value.join(' ')}]` : String(value)]),
      );
    } catch {
      return undefined;
    }
  };
}
