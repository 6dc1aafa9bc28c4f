import { describe, expect, it } from 'vitest';
import { stoppedReason } from '#functions/journey/stopped-execution.ts';

describe('Function: stoppedReason', () => {
  it('says where and how the workflow stopped, naming the error, and what RETRY and CANCEL do', () => {
    // Act
    const reason = stoppedReason('FAILED', 'ELIGIBILITY', 'AwsServiceUnavailable', true);

    // Assess
    expect(reason).toBe(
      "Eligibility verification: the journey's workflow failed (AwsServiceUnavailable). RETRY resumes it where it stopped; CANCEL ends the journey.",
    );
  });

  it.each([
    ['TIMED_OUT', 'timed out'],
    ['ABORTED', 'was stopped'],
  ] as const)('says a %s workflow %s, and offers no CANCEL where the stage allows none', (status, words) => {
    // Act
    const reason = stoppedReason(status, 'PAYMENT', undefined, false);

    // Assess
    expect(reason).toContain(`workflow ${words}.`);
    expect(reason).not.toContain('CANCEL');
    expect(reason).not.toContain('(');
  });
});
