import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidMarkerException } from '../../../../src/models/kms/generated/errors.js';
import { pageInMemory, pageOf } from '../../../../src/core/kms/operations/paging.js';
import { caughtSync } from '../../../support/core.js';

const marker = (text: string) => Buffer.from(text).toString('base64url');

describe('pageOf', () => {
  it.each([
    ['has no next marker', { items: [] }, { Truncated: false }],
    ['has a next marker', { items: [], nextMarker: 'm' }, { NextMarker: 'm', Truncated: true }],
  ])('returns the paging members when the page %s', (_, page, expected) => {
    // Act
    const members = pageOf(page);

    // Assess
    expect(members).toEqual(expected);
  });
});

describe('pageInMemory', () => {
  it('returns every item exactly once, in order, when the pages are followed by their markers', () => {
    fc.assert(fc.property(fc.array(fc.integer(), { maxLength: 120 }), fc.integer({ min: 1, max: 60 }), (items, limit) => {
      // Prepare
      const seen: number[] = [];
      let next: string | undefined;
      let pages = 0;

      // Act
      do {
        const page = pageInMemory(items, limit, next);
        seen.push(...page.items);
        next = page.nextMarker;
        pages += 1;
      } while (next !== undefined);

      // Assess
      expect(seen).toEqual(items);
      expect(pages).toBe(Math.max(1, Math.ceil(items.length / limit)));
    }));
  });

  it.each([
    ['text that is not a marker', 'garbage'],
    ['an offset past the end', marker('offset:11')],
    ['a negative offset', marker('offset:-1')],
    ['an offset of seven digits', marker('offset:1000000')],
    ['an offset with trailing text', marker('offset:1x')],
    ['an empty marker', ''],
  ])('throws InvalidMarkerException when given %s', (_, text) => {
    // Prepare
    const items = Array.from({ length: 10 }, (_, i) => i);

    // Act
    const error = caughtSync(() => pageInMemory(items, 5, text));

    // Assess
    expect(error).toBeInstanceOf(InvalidMarkerException);
    expect(error.message).toBe('The request was rejected because the marker that specifies where pagination should next begin is not valid.');
  });

  it('returns an empty last page when the marker points just past the end', () => {
    // Act
    const page = pageInMemory([1, 2, 3], 5, marker('offset:3'));

    // Assess
    expect(page).toEqual({ items: [] });
  });
});
