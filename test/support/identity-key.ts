/** The patient identity key of the tests (PATIENT_IDENTITY_KEY): match keys and submission IDs are keyed with it. */
export const TEST_IDENTITY_KEY = 'test-patient-identity-key';

/** The key as a deps provider, as handlers take it. */
export const testIdentityKey = async () => TEST_IDENTITY_KEY;
