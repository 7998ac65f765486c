/** Tag rules of AWS KMS: unique keys, no `aws:` prefix, at most 50 tags on a key. */
import { TagException } from '../../../models/kms/generated/errors.js';
import type { Tag } from '../../../models/kms/generated/shapes.js';
import type { TagRecord } from '../records.js';
import { needs } from '../../errors/service-error.js';
import { say } from '../messages.js';

export const MAX_TAGS_PER_KEY = 50;

/** Applies `added` on top of `existing` (same key = new value) and checks the result. */
export function validateNewTags(existing: readonly TagRecord[], added: readonly Tag[]): TagRecord[] {
  const seen = new Set<string>();
  for (const tag of added) {
    /* Precondition: tag keys beginning with aws: are reserved for AWS. */
    needs(!tag.TagKey.toLowerCase().startsWith('aws:'), say('reservedTagKey'), TagException);
    /* Precondition: one request names each tag key once. */
    needs(!seen.has(tag.TagKey), say('duplicateTagKeys'), TagException);
    seen.add(tag.TagKey);
  }
  const merged = new Map(existing.map((tag) => [tag.tagKey, tag.tagValue]));
  for (const tag of added) merged.set(tag.TagKey, tag.TagValue);
  /* Precondition: a key has at most 50 tags; more is a TagException, as AWS answers it. */
  needs(merged.size <= MAX_TAGS_PER_KEY, say('tooManyTags'), TagException);
  return [...merged].map(([tagKey, tagValue]) => ({ tagKey, tagValue }));
}

export function toWireTags(tags: readonly TagRecord[]): Tag[] {
  return tags.map((tag) => ({ TagKey: tag.tagKey, TagValue: tag.tagValue }));
}
