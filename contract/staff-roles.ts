/**
 * The staff's roles: each is a Cognito group of the staff user pool, and a signed-in person holds one or more of them
 * for the clinic the user's `custom:clinicId` names. Routes declare which roles may call them (contract/api-routes.ts).
 */
export const STAFF_ROLES = ['front-desk', 'clinical', 'billing', 'radiology', 'ops', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Who made a staff request: a person (the token's `sub`), the clinic they work for, and their roles there. */
export interface StaffPrincipal {
  userId: string;
  username: string;
  clinicId: string;
  roles: readonly StaffRole[];
}

/** The token claims staff principals come from (Cognito ID tokens: `custom:` attributes and groups live there). */
export const STAFF_CLAIMS = {
  clinicId: 'custom:clinicId',
  groups: 'cognito:groups',
  username: 'cognito:username',
  tokenUse: 'token_use',
} as const;

/** The demo staff `npm start` seeds for demo-clinic: one user per role, named as the issue asks. */
export const DEMO_STAFF: ReadonlyArray<{ username: string; roles: readonly StaffRole[] }> = [
  { username: 'frontdesk', roles: ['front-desk'] },
  { username: 'nurse', roles: ['clinical'] },
  { username: 'billing', roles: ['billing'] },
  { username: 'radiology', roles: ['radiology'] },
  { username: 'ops', roles: ['ops'] },
  { username: 'admin', roles: ['admin'] },
];
