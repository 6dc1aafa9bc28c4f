/**
 * Screens intake answers for risk. Deliberately conservative and rule-based: any "yes" to a red-flag question alerts
 * clinical staff; the software never decides that a patient is safe to wait, it only makes sure a person looks.
 */
export type TriageLevel = 'NONE' | 'URGENT' | 'EMERGENT';

/** Red-flag screening questions and how urgently a "yes" needs a clinician. Unknown questions are ignored. */
export const RED_FLAGS: Readonly<Record<string, Exclude<TriageLevel, 'NONE'>>> = {
  chestPainNow: 'EMERGENT',
  thoughtsOfSelfHarm: 'EMERGENT',
  shortnessOfBreathNow: 'EMERGENT',
  fallInLast30Days: 'URGENT',
  pregnantOrMayBePregnant: 'URGENT',
};

export interface TriageResult {
  level: TriageLevel;
  /** Which questions were answered "yes" (question keys, not answers text): for the clinician's slip. */
  flags: string[];
}

export function screenAnswers(screening: Record<string, boolean> | undefined): TriageResult {
  const flags = Object.entries(screening ?? {})
    .filter(([question, yes]) => yes && question in RED_FLAGS)
    .map(([question]) => question)
    .sort();
  const level = flags.some((f) => RED_FLAGS[f] === 'EMERGENT') ? 'EMERGENT' : flags.length > 0 ? 'URGENT' : 'NONE';
  return { level, flags };
}
