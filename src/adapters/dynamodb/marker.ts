/**
 * Pagination markers. A marker names the last item of the page it ended (a key ID or an alias
 * name, a grant ID, or a retirable grant's index sort key) and the listing it belongs to; the store rebuilds DynamoDB's ExclusiveStartKey from it and
 * from the request. Callers therefore never see table keys, and a marker cannot point a query at
 * another account's partition.
 *
 * Format: base64url (no padding) of `{"v":1,"list":"keys"|"aliases"|"grants"|"retirableGrants","after":"<id or name>"}`.
 */
import { InvalidMarkerException } from '../../models/kms/generated/errors.js';
import { say } from '../../core/kms/messages.js';

export type Listing = 'keys' | 'aliases' | 'grants' | 'retirableGrants';

const VERSION = 1;

export function encodeMarker(list: Listing, after: string): string {
  return Buffer.from(JSON.stringify({ v: VERSION, list, after }), 'utf8').toString('base64url');
}

/** Returns the `after` position; throws `InvalidMarkerException` for anything `encodeMarker` did not make for `list`. */
export function decodeMarker(list: Listing, marker: string): string {
  const after = tryDecode(list, marker);
  // Decoding is lenient (ignores stray characters), so insist on the exact encoding we issue.
  if (after === undefined || encodeMarker(list, after) !== marker) {
    throw invalidMarker();
  }
  return after;
}

export function invalidMarker(): InvalidMarkerException {
  return new InvalidMarkerException(say('invalidMarker'));
}

function tryDecode(list: Listing, marker: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { v, list: markerList, after } = parsed as Record<string, unknown>;
    if (v !== VERSION || markerList !== list || typeof after !== 'string' || after === '') return undefined;
    return after;
  } catch {
    return undefined;
  }
}
