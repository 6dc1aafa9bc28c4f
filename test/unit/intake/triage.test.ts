import { describe, expect, it } from 'vitest';
import { screenAnswers } from '#model/triage.ts';

describe('Function: screenAnswers', () => {
  it('finds no risk when every red-flag question is answered no', () => {
    expect(screenAnswers({ chestPainNow: false, thoughtsOfSelfHarm: false })).toEqual({ level: 'NONE', flags: [] });
  });

  it('finds no risk when no screening was answered', () => {
    expect(screenAnswers(undefined)).toEqual({ level: 'NONE', flags: [] });
  });

  it('rates a single urgent flag as URGENT', () => {
    expect(screenAnswers({ fallInLast30Days: true, chestPainNow: false })).toEqual({ level: 'URGENT', flags: ['fallInLast30Days'] });
  });

  it('rates any emergent flag as EMERGENT and lists every flag', () => {
    const result = screenAnswers({ fallInLast30Days: true, thoughtsOfSelfHarm: true });
    expect(result).toEqual({ level: 'EMERGENT', flags: ['fallInLast30Days', 'thoughtsOfSelfHarm'] });
  });

  it('ignores questions that are not red flags', () => {
    expect(screenAnswers({ likesMusic: true })).toEqual({ level: 'NONE', flags: [] });
  });
});
