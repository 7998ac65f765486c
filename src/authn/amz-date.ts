/** The `X-Amz-Date` timestamp: ISO 8601 basic format in UTC, read strictly. */
import { needs } from '../core/errors/service-error.js';
import { IncompleteSignatureException } from '../models/kms/generated/errors.js';
import { sayAuthn } from './messages.js';

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** `date` as `YYYYMMDDTHHMMSSZ`. */
export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * The instant an `X-Amz-Date` value names. A value whose fields are out of range (hour 30, month
 * 13, 30 February) is refused rather than rolled over into another instant: the date the client
 * signed must be exactly the date the service checks.
 */
export function parseAmzDate(value: string): Date {
  const match = AMZ_DATE.exec(value);
  const [, year, month, day, hour, minute, second] = (match ?? []).map(Number);
  const date = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0));
  /* Precondition: X-Amz-Date names a real instant, written in ISO 8601 basic format. */
  needs(
    match !== null && !Number.isNaN(date.getTime()) && formatAmzDate(date) === value,
    () => sayAuthn('amzDateFormat', { amzDate: value }),
    IncompleteSignatureException,
  );
  return date;
}
