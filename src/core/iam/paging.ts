/** IAM's Marker / MaxItems / IsTruncated paging over a sorted list. */
import { base64UrlToLatin1, latin1ToBase64Url } from '../encoding.js';
import { needs } from '../errors/service-error.js';
import { ValidationError } from '../../models/iam/generated/errors.js';
import { sayIam } from './messages.js';

const DEFAULT_MAX_ITEMS = 100;

/** One page of `items` (sorted by `keyOf`, whose keys are ASCII as IAM names are) after `marker`, with the marker of the next page. */
export function page<T>(items: readonly T[], keyOf: (item: T) => string, input: { Marker?: string; MaxItems?: number }): {
  readonly items: readonly T[]; readonly IsTruncated: boolean; readonly Marker?: string;
} {
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  let start = 0;
  if (input.Marker !== undefined) {
    const after = base64UrlToLatin1(input.Marker);
    /* Precondition: a marker is one this service issued. */
    needs(after !== undefined && after.startsWith('m1:'), sayIam('iamInvalidMarker'), ValidationError);
    const key = after.slice(3);
    start = sorted.findIndex((item) => keyOf(item) > key);
    if (start === -1) start = sorted.length;
  }
  const max = input.MaxItems ?? DEFAULT_MAX_ITEMS;
  const slice = sorted.slice(start, start + max);
  const truncated = start + max < sorted.length;
  const last = slice[slice.length - 1];
  return {
    items: slice,
    IsTruncated: truncated,
    ...(truncated && last !== undefined ? { Marker: latin1ToBase64Url(`m1:${keyOf(last)}`) } : {}),
  };
}
