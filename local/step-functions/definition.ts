import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { FUNCTIONS, type FunctionName } from '#contract/function-catalog.ts';

/** The account and region every local ARN uses; nothing checks them, they only have to look like AWS's. */
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'us-east-1';

export const JOURNEY_DEFINITION_FILE = resolve(import.meta.dirname, '..', '..', 'workflows', 'patient-journey.asl.json');
export const JOURNEY_STAGES_DEFINITION_FILE = resolve(import.meta.dirname, '..', '..', 'workflows', 'journey-stages.asl.json');
/** The EXPRESS state machine PatientJourney's RunStages runs (infra: JOURNEY_STAGES_PLACEHOLDER). */
export const JOURNEY_STAGES_NAME = 'JourneyStages';

/** The ARN the local cloud gives a catalog function: its catalog key is its name. */
export function localFunctionArn(name: FunctionName): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${name}`;
}

export function localStateMachineArn(name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${name}`;
}

/**
 * The values the CDK stack passes as `definitionSubstitutions`, with local ARNs: every catalog function that names an
 * `aslPlaceholder` gets its local ARN, and RunStages the local JourneyStages.
 */
export function localSubstitutions(): Record<string, string> {
  const substitutions: Record<string, string> = { JourneyStagesStateMachineArn: localStateMachineArn(JOURNEY_STAGES_NAME) };
  for (const [name, spec] of Object.entries(FUNCTIONS)) {
    if ('aslPlaceholder' in spec) substitutions[spec.aslPlaceholder] = localFunctionArn(name as FunctionName);
  }
  return substitutions;
}

/**
 * Loads an ASL file and replaces every `${Placeholder}` the way Step Functions' definitionSubstitutions does. A
 * placeholder without a value is an error here, as it is at deploy time.
 */
export function loadDefinition(file: string, substitutions: Record<string, string>): StateMachineDefinition {
  const text = readFileSync(file, 'utf8').replace(/\$\{(\w+)\}/g, (match, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new Error(`${file}: no value for placeholder ${match}`);
    // The value lands inside a JSON string literal.
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(text) as StateMachineDefinition;
}

/** The deployable PatientJourney definition with local ARNs. */
export function loadJourneyDefinition(): StateMachineDefinition {
  return loadDefinition(JOURNEY_DEFINITION_FILE, localSubstitutions());
}

/** The deployable JourneyStages definition (EXPRESS, run by PatientJourney's RunStages) with local ARNs. */
export function loadJourneyStagesDefinition(): StateMachineDefinition {
  return loadDefinition(JOURNEY_STAGES_DEFINITION_FILE, localSubstitutions());
}

/** The journey's state machines as LocalStepFunctions takes them: PatientJourney, with JourneyStages nested. */
export function journeyStateMachines(): { definition: StateMachineDefinition; nested: Record<string, StateMachineDefinition> } {
  return { definition: loadJourneyDefinition(), nested: { [JOURNEY_STAGES_NAME]: loadJourneyStagesDefinition() } };
}

/** Every Task state of the journey's state machines (PatientJourney's and JourneyStages'). */
export function journeyTaskStates(): TaskStateInfo[] {
  const { definition, nested } = journeyStateMachines();
  return [definition, ...Object.values(nested)].flatMap((d) => taskStates(d));
}

export interface TaskStateInfo {
  name: string;
  resource: string;
  parameters: unknown;
}

type AnyState = {
  Type: string;
  Resource?: string;
  Parameters?: unknown;
  Branches?: NestedMachine[];
  Iterator?: NestedMachine;
  ItemProcessor?: NestedMachine;
};
type NestedMachine = { States: Record<string, AnyState> };

/**
 * Every Task state of a definition, including those inside Parallel branches and Map iterators (the runner addresses
 * overrides by state name at any depth, so names must be unique across the whole definition, as in AWS).
 */
export function taskStates(definition: StateMachineDefinition): TaskStateInfo[] {
  const found: TaskStateInfo[] = [];
  const walk = (machine: NestedMachine) => {
    for (const [name, state] of Object.entries(machine.States)) {
      if (state.Type === 'Task' && state.Resource) found.push({ name, resource: state.Resource, parameters: state.Parameters });
      for (const branch of state.Branches ?? []) walk(branch);
      const iterator = state.ItemProcessor ?? state.Iterator;
      if (iterator) walk(iterator);
    }
  };
  walk(definition as unknown as NestedMachine);
  return found;
}

/** Every state of a definition with its type, at any depth (for mapping library events to AWS history event types). */
export function stateTypes(definition: StateMachineDefinition): Map<string, { type: string; resource?: string }> {
  const found = new Map<string, { type: string; resource?: string }>();
  const walk = (machine: NestedMachine) => {
    for (const [name, state] of Object.entries(machine.States)) {
      found.set(name, { type: state.Type, ...(state.Resource ? { resource: state.Resource } : {}) });
      for (const branch of state.Branches ?? []) walk(branch);
      const iterator = state.ItemProcessor ?? state.Iterator;
      if (iterator) walk(iterator);
    }
  };
  walk(definition as unknown as NestedMachine);
  return found;
}
