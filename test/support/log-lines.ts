/**
 * Log lines as tests read them, and the matchers that read them (registered for the unit, integration and infra
 * projects by test/support/setup.ts; an e2e file registers them itself with `expect.extend(logMatchers)`).
 *
 * The handlers log through Powertools (functions/shared/observability.ts): one JSON object per entry, with the
 * allow-listed fields next to `level`, `message` and the Lambda context. Two ways to collect them:
 * - in process (unit, integration): `const logs = captureLogLines({ logger })` raises the logger's level, collects
 *   what it writes, and `logs.restore()` puts everything back;
 * - from the local cloud's execution environments (e2e): `const logs = new LogLines()` and
 *   `startLocalCloud({ onLogLine: logs.add })`.
 *
 * Then: `expect(logs).toHaveLogged({ message: 'Appointment booked', outcome: 'BOOKED' })` and
 * `expect(logs).toContainNoneOf(patientValues, { ignoreCase: true })`.
 */
import { format } from 'node:util';
import { type MatcherState, type MockInstance, vi } from 'vitest';

/** One line as captured, with where it came from when known (the function whose environment wrote it). */
export interface CapturedLine {
  text: string;
  source?: string;
  stream?: 'stdout' | 'stderr';
}

export type LogRecord = Record<string, unknown>;

/** What the matchers accept as log lines: a LogLines, lines or captured lines, or one text (split at line breaks). */
export type LogLinesLike = string | Iterable<string | CapturedLine>;

/** The JSON object a line holds, or undefined for a line that is not one (a stack trace, a stray console.log). */
export function parseLogLine(text: string): LogRecord | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as LogRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Lines collected in order. `add` is bound, so it can be handed over as a listener as it is. */
export class LogLines implements Iterable<CapturedLine> {
  readonly lines: CapturedLine[] = [];

  /** Takes a text, or a line of the local cloud's `onLogLine` ({ functionName, stream, text }). */
  readonly add = (line: string | (CapturedLine & { functionName?: string })): void => {
    if (typeof line === 'string') {
      this.lines.push({ text: line });
      return;
    }
    const source = line.source ?? line.functionName;
    this.lines.push({ text: line.text, ...(source !== undefined ? { source } : {}), ...(line.stream ? { stream: line.stream } : {}) });
  };

  get length(): number {
    return this.lines.length;
  }

  texts(): string[] {
    return this.lines.map((line) => line.text);
  }

  /** The lines that are JSON objects, parsed (the others left out). */
  records(): LogRecord[] {
    return this.lines.flatMap((line): LogRecord[] => {
      const record = parseLogLine(line.text);
      return record ? [record] : [];
    });
  }

  /** The lines a given source (function) wrote. */
  from(source: string): LogLines {
    const subset = new LogLines();
    for (const line of this.lines) if (line.source === source) subset.add(line);
    return subset;
  }

  clear(): void {
    this.lines.length = 0;
  }

  [Symbol.iterator](): Iterator<CapturedLine> {
    return this.lines[Symbol.iterator]();
  }
}

/** The part of a Powertools Logger the capture needs. */
export interface LevelledLogger {
  getLevelName(): string;
  setLogLevel(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT' | 'TRACE'): void;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * Collects, until `restore()`, what the code under test writes in this process: each console call is one line (so
 * Powertools' indented JSON of POWERTOOLS_DEV stays one entry), and whatever reaches process.stdout/stderr directly
 * (Powertools outside dev mode) is split at line breaks. Sets `logger` to `level` (default DEBUG) meanwhile: the
 * test setup keeps it SILENT. Nothing captured reaches the console.
 */
export function captureLogLines(options: { logger: LevelledLogger; level?: Parameters<LevelledLogger['setLogLevel']>[0] }): LogLines & {
  restore: () => void;
} {
  const lines = new LogLines();
  const previousLevel = options.logger.getLevelName() as Parameters<LevelledLogger['setLogLevel']>[0];
  const spies: MockInstance[] = CONSOLE_METHODS.map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.add({ text: format(...args), stream: method === 'error' || method === 'warn' ? 'stderr' : 'stdout' });
    }),
  );
  for (const stream of ['stdout', 'stderr'] as const) {
    const spy = vi.spyOn(process[stream], 'write') as unknown as MockInstance<(chunk: unknown) => boolean>;
    spy.mockImplementation((chunk: unknown) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      for (const line of text.split('\n')) if (line.length > 0) lines.add({ text: line, stream });
      return true;
    });
    spies.push(spy);
  }
  options.logger.setLogLevel(options.level ?? 'DEBUG');
  return Object.assign(lines, {
    restore: () => {
      for (const spy of spies) spy.mockRestore();
      options.logger.setLogLevel(previousLevel);
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Matchers

/** Values to look for: a list, or labelled values (`{ 'patient.lastName': 'Quinlan' }`) so a report says which. */
export type SearchedValues = readonly (string | RegExp)[] | Readonly<Record<string, string | RegExp>>;

export interface ContainNoneOfOptions {
  /** Letters match whatever their case (a name written in capitals is still the name). */
  ignoreCase?: boolean;
}

/** Texts to search: one text, texts or captured lines (located by index and source), or texts by label. */
export type SearchedTexts = string | Iterable<string | CapturedLine> | Readonly<Record<string, string>>;

interface Located {
  where: string;
  text: string;
}

const isIterable = (value: unknown): value is Iterable<unknown> =>
  value !== null && typeof value === 'object' && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';

function locate(received: unknown, matcher: string): Located[] {
  if (typeof received === 'string') return received.split('\n').map((text, i) => ({ where: `line ${i + 1}`, text }));
  if (isIterable(received)) {
    return [...received].map((item, i) => {
      if (typeof item === 'string') return { where: `#${i}`, text: item };
      const line = item as CapturedLine;
      if (typeof line?.text !== 'string') throw new TypeError(`${matcher}: item #${i} is neither a string nor a captured line`);
      return { where: line.source ? `#${i} (${line.source})` : `#${i}`, text: line.text };
    });
  }
  if (received !== null && typeof received === 'object') {
    return Object.entries(received).map(([where, text]) => {
      if (typeof text !== 'string') throw new TypeError(`${matcher}: ${where} is not a string`);
      return { where, text };
    });
  }
  throw new TypeError(`${matcher}: expected a string, lines or texts by label, received ${typeof received}`);
}

const excerpt = (text: string, index: number, length: number) => {
  const start = Math.max(0, index - 40);
  const end = Math.min(text.length, index + length + 40);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
};

const MAX_LISTED = 20;

export const logMatchers = {
  /**
   * Passes when some line is a JSON object holding every field of `expected` (a subset match, as toMatchObject:
   * other fields are ignored, nested objects match partially, asymmetric matchers work).
   */
  toHaveLogged(this: MatcherState, received: LogLinesLike, expected: LogRecord) {
    const lines = locate(received, 'toHaveLogged');
    const testers = [...this.customTesters, this.utils.iterableEquality, this.utils.subsetEquality];
    const records = lines.map((line) => parseLogLine(line.text));
    const index = records.findIndex((record) => record !== undefined && this.equals(record, expected, testers));
    const pass = index >= 0;
    const notJson = records.filter((r) => r === undefined).length;
    return {
      pass,
      message: () => {
        if (pass) {
          const line = lines[index] as Located;
          return `expected no log line to contain ${this.utils.printExpected(expected)}, but ${line.where} does:\n  ${line.text}`;
        }
        if (lines.length === 0) return `expected a log line containing ${this.utils.printExpected(expected)}, but no line was captured`;
        const sameMessage = typeof expected.message === 'string' ? lines.filter((_, i) => records[i]?.message === expected.message) : [];
        const shown = sameMessage.length > 0 ? sameMessage : lines.slice(-5);
        return [
          `expected a log line containing ${this.utils.printExpected(expected)}; none of ${lines.length} line(s) does` +
            (notJson > 0 ? ` (${notJson} not JSON)` : ''),
          sameMessage.length > 0 ? 'lines with that message:' : 'the last lines:',
          ...shown.slice(0, MAX_LISTED).map((line) => `  ${line.where}: ${line.text}`),
        ].join('\n');
      },
    };
  },

  /**
   * Passes when no value occurs in any text. Reports each occurrence: which value (its label), in which text (index
   * and source, or label) and at which offset, with the text around it. Refuses an empty list and an empty value,
   * which would make the assertion vacuous or always fail.
   */
  toContainNoneOf(this: MatcherState, received: SearchedTexts, values: SearchedValues, options: ContainNoneOfOptions = {}) {
    const texts = locate(received, 'toContainNoneOf');
    const entries: Array<[string, string | RegExp]> = Array.isArray(values)
      ? (values as readonly (string | RegExp)[]).map((value) => [String(value), value])
      : Object.entries(values as Record<string, string | RegExp>);
    if (entries.length === 0) throw new TypeError('toContainNoneOf: no values to look for');
    const patterns = entries.map(([label, value]) => {
      if (value === '') throw new TypeError(`toContainNoneOf: the value of ${label} is empty`);
      const source = typeof value === 'string' ? value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : value.source;
      const flags = new Set([...(typeof value === 'string' ? '' : value.flags), 'g', ...(options.ignoreCase ? 'i' : '')]);
      return { label, value, pattern: new RegExp(source, [...flags].join('')) };
    });
    const hits: string[] = [];
    const leaked = new Set<string>();
    for (const { where, text } of texts) {
      for (const { label, value, pattern } of patterns) {
        for (const match of text.matchAll(pattern)) {
          if (match[0].length === 0) continue;
          leaked.add(label);
          hits.push(
            `${label}${label.includes(String(value)) ? '' : ` (${String(value)})`} in ${where} at ${match.index}: ${excerpt(text, match.index ?? 0, match[0].length)}`,
          );
        }
      }
    }
    const pass = hits.length === 0;
    return {
      pass,
      message: () =>
        pass
          ? `expected at least one of ${entries.length} value(s) in ${texts.length} text(s), found none`
          : [
              `expected none of ${entries.length} value(s) in ${texts.length} text(s); found ${leaked.size} value(s), ${hits.length} time(s): ${[...leaked].join(', ')}`,
              ...hits.slice(0, MAX_LISTED).map((hit) => `  ${hit}`),
              ...(hits.length > MAX_LISTED ? [`  … and ${hits.length - MAX_LISTED} more`] : []),
            ].join('\n'),
    };
  },
};

interface LogMatchers<R = unknown> {
  /** A line of the received log lines is a JSON object holding these fields (subset match). */
  toHaveLogged: (expected: LogRecord) => R;
  /** None of the values occurs in the received text(s); the failure says which occurred, where. */
  toContainNoneOf: (values: SearchedValues, options?: ContainNoneOfOptions) => R;
}

declare module 'vitest' {
  interface Matchers<R, T> extends LogMatchers<R> {}
}
