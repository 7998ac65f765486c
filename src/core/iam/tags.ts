/** Tags of users, roles and sessions, checked as IAM checks them. */
import { needs } from '../errors/service-error.js';
import { InvalidInputException, LimitExceededException } from '../../models/iam/generated/errors.js';
import type { Tag } from './records.js';
import { sayIam } from './messages.js';

export const MAX_TAGS = 50;

export interface WireTag {
  readonly Key: string;
  readonly Value: string;
}

export function tagsFromWire(tags: readonly WireTag[] | undefined): Tag[] {
  const out = (tags ?? []).map((tag) => ({ key: tag.Key, value: tag.Value }));
  const keys = new Set(out.map((tag) => tag.key.toLowerCase()));
  /* Precondition: tag keys are unique without regard to case. */
  needs(keys.size === out.length, sayIam('iamDuplicateTagKeys'), InvalidInputException);
  /* Precondition: tag keys do not begin with the reserved prefix aws:. */
  needs(out.every((tag) => !tag.key.toLowerCase().startsWith('aws:')), sayIam('reservedTagPrefix'), InvalidInputException);
  return out;
}

export function tagsToWire(tags: readonly Tag[]): WireTag[] {
  return tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
}

/** `existing` with `added` set (a key differing only in case replaces the old one). */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.key.toLowerCase(), tag]));
  for (const tag of added) byKey.set(tag.key.toLowerCase(), tag);
  const merged = [...byKey.values()];
  /* Precondition: a user or role has at most 50 tags. */
  needs(merged.length <= MAX_TAGS, sayIam('tagsQuota'), LimitExceededException);
  return merged;
}

export function removeTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  const removed = new Set(keys.map((key) => key.toLowerCase()));
  return existing.filter((tag) => !removed.has(tag.key.toLowerCase()));
}

export function tagRecord(tags: readonly Tag[]): Record<string, string> {
  return Object.fromEntries(tags.map((tag) => [tag.key, tag.value]));
}
