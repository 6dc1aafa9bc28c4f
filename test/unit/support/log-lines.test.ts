import { afterEach, describe, expect, it } from 'vitest';
import { log, logger } from '#shared/observability.ts';
import { captureLogLines, LogLines, parseLogLine } from '#test/support/log-lines.ts';

/** Lines as Powertools writes them: one JSON object each. */
const booked = JSON.stringify({ level: 'INFO', message: 'Appointment booked', journeyId: 'j-1', outcome: 'BOOKED', count: 1 });
const noSlot = JSON.stringify({ level: 'INFO', message: 'No slot within the horizon', journeyId: 'j-2', outcome: 'NO_SLOT' });
const nested = JSON.stringify({ level: 'WARN', message: 'Nested', error: { name: 'ClearinghouseUnavailable', attempt: 2 } });

describe('toHaveLogged', () => {
  it('passes on a line holding every expected field, whatever other fields it has', () => {
    expect([noSlot, booked]).toHaveLogged({ message: 'Appointment booked', outcome: 'BOOKED' });
    expect([booked]).toHaveLogged({ journeyId: expect.stringMatching(/^j-/), count: expect.any(Number) });
    expect([nested]).toHaveLogged({ error: { name: 'ClearinghouseUnavailable' } });
  });

  it('fails when no one line holds all the fields, listing the lines with that message', () => {
    expect(() => expect([booked, noSlot]).toHaveLogged({ message: 'Appointment booked', outcome: 'NO_SLOT' })).toThrow(
      /expected a log line containing[\s\S]*none of 2 line\(s\) does[\s\S]*lines with that message:\n {2}#0: .*"Appointment booked"/,
    );
  });

  it('fails when a field has another type or a nested field differs', () => {
    expect(() => expect([booked]).toHaveLogged({ count: '1' })).toThrow(/none of 1 line/);
    expect(() => expect([nested]).toHaveLogged({ error: { name: 'PaymentProcessorUnavailable' } })).toThrow(/none of 1 line/);
  });

  it('fails when nothing was captured, and says so', () => {
    expect(() => expect(new LogLines()).toHaveLogged({ message: 'Appointment booked' })).toThrow(/no line was captured/);
  });

  it('reads only JSON lines: a field written in plain text is not logged as a field', () => {
    expect(() => expect(['message: Appointment booked', 'Error: boom']).toHaveLogged({ message: 'Appointment booked' })).toThrow(
      /none of 2 line\(s\) does \(2 not JSON\)/,
    );
  });

  it('negated, fails naming the line that matched', () => {
    expect(() => expect([noSlot, booked]).not.toHaveLogged({ outcome: 'BOOKED' })).toThrow(/expected no log line to contain[\s\S]*#1 does/);
    expect([noSlot]).not.toHaveLogged({ outcome: 'BOOKED' });
  });

  it('takes captured lines and one text of several lines', () => {
    const lines = new LogLines();
    lines.add({ functionName: 'bookAppointment', stream: 'stdout', text: booked });

    expect(lines).toHaveLogged({ outcome: 'BOOKED' });
    expect(`${noSlot}\n${booked}\n`).toHaveLogged({ outcome: 'BOOKED' });
    expect(lines.from('bookAppointment').length).toBe(1);
    expect(lines.from('collectPayment').length).toBe(0);
  });
});

describe('toContainNoneOf', () => {
  it('passes when no value occurs', () => {
    expect([booked, noSlot]).toContainNoneOf(['Quinlan', '1986-03-14']);
  });

  it('fails naming each value that occurs, where, and the text around it', () => {
    const texts = ['{"message":"ok"}', '{"message":"Booked for Avery Quinlan"}'];

    expect(() => expect(texts).toContainNoneOf({ 'patient.lastName': 'Quinlan', 'patient.birthDate': '1986-03-14' })).toThrow(
      /found 1 value\(s\), 1 time\(s\): patient\.lastName\n {2}patient\.lastName \(Quinlan\) in #1 at 29: \{"message":"Booked for Avery Quinlan"\}/,
    );
  });

  it('locates a leak by label and by the source that wrote the line', () => {
    const lines = new LogLines();
    lines.add({ functionName: 'verifyEligibility', stream: 'stdout', text: '{"memberId":"SIM-COPAY-25"}' });

    expect(() => expect({ 'email subject': 'Your visit, Quinlan' }).toContainNoneOf(['Quinlan'])).toThrow(/Quinlan in email subject at 12/);
    expect(() => expect(lines).toContainNoneOf(['SIM-COPAY-25'])).toThrow(/SIM-COPAY-25 in #0 \(verifyEligibility\) at 13/);
  });

  it('ignores case only when asked', () => {
    expect(['QUINLAN, AVERY']).toContainNoneOf(['Quinlan']);
    expect(() => expect(['QUINLAN, AVERY']).toContainNoneOf(['Quinlan'], { ignoreCase: true })).toThrow(/Quinlan in #0 at 0/);
  });

  it('takes values as regular expressions, e.g. a number that must stand alone', () => {
    const zip = /(?<![A-Za-z0-9])02116(?![A-Za-z0-9])/;

    expect(['request 8f02116a', '1764402116000']).toContainNoneOf([zip]);
    expect(() => expect(['Boston, MA 02116']).toContainNoneOf({ postalCode: zip })).toThrow(/postalCode .* in #0 at 11/);
  });

  it('treats a value as text, not as a pattern', () => {
    expect(['phone 617x555x0142']).toContainNoneOf(['617.555.0142']);
    expect(() => expect(['phone 617.555.0142']).toContainNoneOf(['617.555.0142'])).toThrow(/617\.555\.0142 in #0/);
  });

  it('refuses a vacuous search: no values, or an empty value', () => {
    expect(() => expect(['text']).toContainNoneOf([])).toThrow('no values to look for');
    expect(() => expect(['text']).toContainNoneOf({ 'patient.middleName': '' })).toThrow('the value of patient.middleName is empty');
  });

  it('negated, fails when none of the values occurs', () => {
    expect(['Avery Quinlan']).not.toContainNoneOf(['Quinlan']);
    expect(() => expect(['Avery']).not.toContainNoneOf(['Quinlan'])).toThrow(
      /expected at least one of 1 value\(s\) in 1 text\(s\), found none/,
    );
  });
});

describe('parseLogLine', () => {
  it('parses a JSON object line and nothing else', () => {
    expect(parseLogLine(booked)).toMatchObject({ message: 'Appointment booked' });
    expect(parseLogLine('[1,2]')).toBeUndefined();
    expect(parseLogLine('{not json')).toBeUndefined();
    expect(parseLogLine('plain text')).toBeUndefined();
  });
});

describe('captureLogLines', () => {
  let capture: ReturnType<typeof captureLogLines> | undefined;
  afterEach(() => {
    capture?.restore();
    capture = undefined;
  });

  it("captures the handlers' logger at DEBUG while the test setup keeps it SILENT, then restores it", () => {
    // prepare
    expect(logger.getLevelName()).toBe('SILENT');
    capture = captureLogLines({ logger });

    // act
    log.info('Appointment booked', { journeyId: 'j-1', outcome: 'BOOKED', count: 1 });
    logger.debug('A debug entry');
    capture.restore();
    log.info('After the capture', { journeyId: 'j-2' });

    // assess
    expect(capture).toHaveLogged({
      level: 'INFO',
      message: 'Appointment booked',
      journeyId: 'j-1',
      outcome: 'BOOKED',
      service: 'patient-access',
    });
    expect(capture).toHaveLogged({ level: 'DEBUG', message: 'A debug entry' });
    expect(capture).not.toHaveLogged({ message: 'After the capture' });
    expect(logger.getLevelName()).toBe('SILENT');
  });

  it('captures what is written to stdout directly, one entry a line', () => {
    capture = captureLogLines({ logger });

    process.stdout.write(`${booked}\n${noSlot}\n`);

    expect(capture.texts()).toEqual([booked, noSlot]);
  });
});
