import { parsePhone } from '#contract/api/phone-number.ts';
import type { OutgoingEmail } from './mailer-port.ts';

/** What composition produces; the handler adds recipient, reply-to and the message key. */
export type ComposedEmail = Pick<OutgoingEmail, 'subject' | 'text' | 'html' | 'attachments'>;

/** The clinic as correspondence presents it (from its ClinicProfile). */
export interface ClinicContact {
  name: string;
  /** E.164 or national US format. */
  phone: string;
}

const LOCALE = 'en-US';

/** A moment as the patient reads it at the location: "Tuesday, March 3, 2026 at 9:30 AM EST (Eastern Standard Time)". */
export function formatWhen(iso: string, timeZone: string): string {
  const at = instantOf(iso);
  const { weekday, month, day, year, hour, minute, dayPeriod, timeZoneName } = partsAt(at, timeZone);
  const zoneLong = zoneNameFormat(timeZone)
    .formatToParts(at)
    .find((part) => part.type === 'timeZoneName')?.value;
  return `${weekday}, ${month} ${day}, ${year} at ${hour}:${minute} ${dayPeriod} ${timeZoneName} (${zoneLong})`;
}

/** "Tuesday, March 3" at the location. */
export function formatDay(iso: string, timeZone: string): string {
  const { weekday, month, day } = partsAt(instantOf(iso), timeZone);
  return `${weekday}, ${month} ${day}`;
}

/** "9:15 AM" at the location. */
export function formatClock(iso: string, timeZone: string, minusMinutes = 0): string {
  const { hour, minute, dayPeriod } = partsAt(instantOf(iso) - minusMinutes * 60_000, timeZone);
  return `${hour}:${minute} ${dayPeriod}`;
}

/** An ISO 8601 date-time with its offset (Z or ±hh:mm), as scheduling writes an appointment's start. */
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of an ISO date-time with an offset; anything else (no offset, 30 February) is refused. */
function instantOf(iso: string): number {
  const [, year, month, day] = ISO_WITH_OFFSET.exec(iso) ?? [];
  const at = Date.parse(iso);
  // Date.parse rolls an impossible day over (2026-02-30 → March 2): the written day must exist in its month.
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (year === undefined || Number.isNaN(at) || calendar.getUTCMonth() !== Number(month) - 1 || calendar.getUTCDate() !== Number(day)) {
    throw new Error(`Invalid appointment time or zone: ${JSON.stringify(iso)} is not an ISO date-time with an offset`);
  }
  return at;
}

type DateParts = Partial<Record<Intl.DateTimeFormatPartTypes, string>>;

/** The moment's fields at the location as en-US writes them: weekday, month, day, year, hour, minute, AM/PM, zone. */
function partsAt(at: number, timeZone: string): DateParts {
  return Object.fromEntries(
    partsFormat(timeZone)
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
}

const partsFormats = new Map<string, Intl.DateTimeFormat>();
const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  return cachedFormat(partsFormats, timeZone, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    hourCycle: 'h12',
    timeZoneName: 'short',
  });
}

function zoneNameFormat(timeZone: string): Intl.DateTimeFormat {
  return cachedFormat(zoneNameFormats, timeZone, { timeZoneName: 'long' });
}

/** One formatter per zone and shape, made on first use (making one costs far more than using it). */
function cachedFormat(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let format = cache.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(LOCALE, { ...options, timeZone });
    } catch (error) {
      throw new Error(`Invalid appointment time or zone: ${JSON.stringify(timeZone)} is not a time zone`, { cause: error });
    }
    cache.set(timeZone, format);
  }
  return format;
}

export function formatUsd(cents: number): string {
  return new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'USD' }).format(cents / 100);
}

/** "(617) 555-0123" for a US number; other numbers in international format; unparseable ones as given. */
export function formatPhone(phone: string): string {
  const parsed = parsePhone(phone);
  if (!parsed?.isValid()) return phone;
  return parsed.country === 'US' ? parsed.formatNational() : parsed.formatInternational();
}

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Wraps escaped paragraphs in a minimal, client-safe HTML document. */
export function htmlDocument(paragraphs: string[]): string {
  const body = paragraphs.map((p) => `<p>${p}</p>`).join('\n');
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"></head><body style="font-family:sans-serif">\n${body}\n</body></html>`;
}

/** What an email about an appointment says of it: when (in the location's zone, named), where and with whom. */
export interface AppointmentDetailsSource {
  start: string;
  timeZone: string;
  location: { name: string; address: string };
  department: { name: string };
  provider: { name: string };
}

/** Those three lines, as text lines and as one HTML paragraph with bold labels; never what the visit is for. */
export function appointmentDetails(appointment: AppointmentDetailsSource): { lines: string[]; html: string } {
  const details: Array<[string, string]> = [
    ['When', formatWhen(appointment.start, appointment.timeZone)],
    ['Where', `${appointment.location.name}, ${appointment.location.address}`],
    ['With', `${appointment.provider.name}, ${appointment.department.name}`],
  ];
  return {
    lines: details.map(([label, value]) => `${label}: ${value}`),
    html: details.map(([label, value]) => `<strong>${label}:</strong> ${escapeHtml(value)}`).join('<br>'),
  };
}
