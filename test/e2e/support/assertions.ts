/** Small assertions over what the stock SDK returns: service errors and paged listings. */
import { expect } from 'vitest';

/** What the SDK throws for an AWS JSON error response. */
export interface ServiceError {
  readonly name: string;
  readonly message: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string };
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function errorOf(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('Expected the request to fail, but it succeeded.');
}

/**
 * Expects `promise` to fail with the AWS error `name` (HTTP 400 unless `status` says otherwise)
 * and, when given, the exact `message` (or one matching it).
 */
export async function expectKmsError(
  promise: Promise<unknown>,
  name: string,
  message?: string | RegExp,
  status = 400,
): Promise<ServiceError> {
  const error = await errorOf(promise);
  expect({ name: error.name, status: error.$metadata?.httpStatusCode }).toEqual({ name, status });
  if (typeof message === 'string') expect(error.message).toBe(message);
  if (message instanceof RegExp) expect(error.message).toMatch(message);
  return error;
}

export interface ListingPage<T> {
  readonly items: readonly T[];
  readonly NextMarker?: string | undefined;
  readonly Truncated?: boolean | undefined;
}

/**
 * Follows `NextMarker` until `Truncated` is false, checking on every page that `Truncated` and
 * `NextMarker` agree and that no page is larger than `limit`.
 */
export async function collectPages<T>(
  limit: number,
  fetchPage: (marker: string | undefined) => Promise<ListingPage<T>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let marker: string | undefined;
  for (let pages = 1; pages <= 1000; pages++) {
    const page = await fetchPage(marker);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    expect(page.Truncated).toBe(page.NextMarker !== undefined);
    items.push(...page.items);
    if (page.Truncated !== true) return { items, pages };
    marker = page.NextMarker;
  }
  throw new Error('The listing did not end after 1000 pages.');
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** `length` bytes of a recognisable pattern (not random, so a failure shows what was sent). */
export function patternBytes(length: number, seed = 7): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (index * 31 + seed) % 256);
}

/** A copy of `bytes` with one bit of the byte at `index` flipped (negative counts from the end). */
export function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const at = index < 0 ? copy.length + index : index;
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

/** `value`, or a failure naming `what` when a response lacks it. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`The response has no ${what}.`);
  return value;
}
