import { DateTime } from 'luxon';
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
  const at = inZone(iso, timeZone);
  return `${at.toFormat("cccc, LLLL d, yyyy 'at' h:mm a")} ${at.offsetNameShort} (${at.offsetNameLong})`;
}

/** "Tuesday, March 3" at the location. */
export function formatDay(iso: string, timeZone: string): string {
  return inZone(iso, timeZone).toFormat('cccc, LLLL d');
}

/** "9:15 AM" at the location. */
export function formatClock(iso: string, timeZone: string, minusMinutes = 0): string {
  return inZone(iso, timeZone).minus({ minutes: minusMinutes }).toFormat('h:mm a');
}

function inZone(iso: string, timeZone: string): DateTime {
  const at = DateTime.fromISO(iso, { zone: timeZone, setZone: false }).setZone(timeZone).setLocale(LOCALE);
  if (!at.isValid) throw new Error(`Invalid appointment time or zone: ${at.invalidReason}`);
  return at;
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
