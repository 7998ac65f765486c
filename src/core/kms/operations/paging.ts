/** Pagination members as AWS KMS returns them: `NextMarker` and `Truncated`. */
import { InvalidMarkerException } from '../../../models/kms/generated/errors.js';
import type { Page } from '../../ports/index.js';
import { base64UrlToLatin1, latin1ToBase64Url } from '../../encoding.js';
import { say } from '../messages.js';

export function pageOf(page: Page<unknown>): { NextMarker?: string; Truncated: boolean } {
  return page.nextMarker === undefined ? { Truncated: false } : { NextMarker: page.nextMarker, Truncated: true };
}

/**
 * Pages through a list held in memory (a key's tags). The marker is the index of the next item,
 * base64url-encoded so clients treat it as opaque.
 */
export function pageInMemory<T>(items: readonly T[], limit: number, marker: string | undefined): Page<T> {
  const start = marker === undefined ? 0 : decodeOffset(marker);
  if (start > items.length) throw new InvalidMarkerException(say('invalidMarker'));
  const end = start + limit;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextMarker: latin1ToBase64Url(`offset:${end}`) } : {}),
  };
}

function decodeOffset(marker: string): number {
  const match = /^offset:(\d{1,6})$/.exec(base64UrlToLatin1(marker) ?? '');
  if (match?.[1] === undefined) throw new InvalidMarkerException(say('invalidMarker'));
  return Number(match[1]);
}
