/** TagResource, UntagResource and ListResourceTags. */
import type { OperationHandler } from '../service.js';
import { resolveKey } from '../keys/resolve-key.js';
import { toWireTags, validateNewTags } from '../keys/tags.js';
import { pageInMemory, pageOf } from './paging.js';
import { saveKey } from './key-management.js';

/** ListResourceTags returns at most 50 tags a page. */
const MAX_TAG_PAGE = 50;

export const tagResource: OperationHandler<'TagResource'> = async (call) => {
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'TagResource', action: 'kms:TagResource' });
  await saveKey(call, key, { ...key, tags: validateNewTags(key.tags, call.input.Tags) });
  return {};
};

export const untagResource: OperationHandler<'UntagResource'> = async (call) => {
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'UntagResource', action: 'kms:UntagResource' });
  const removed = new Set(call.input.TagKeys);
  await saveKey(call, key, { ...key, tags: key.tags.filter((tag) => !removed.has(tag.tagKey)) });
  return {};
};

export const listResourceTags: OperationHandler<'ListResourceTags'> = async (call) => {
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'ListResourceTags', action: 'kms:ListResourceTags' });
  const page = pageInMemory(key.tags, Math.min(call.input.Limit ?? MAX_TAG_PAGE, MAX_TAG_PAGE), call.input.Marker);
  return { Tags: toWireTags(page.items), ...pageOf(page) };
};
