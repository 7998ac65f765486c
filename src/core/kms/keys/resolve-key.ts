/** Turns a `KeyId` request member into the stored key it names, as AWS KMS resolves it. */
import { NotFoundException } from '../../../models/kms/generated/errors.js';
import type { KeyRecord } from '../records.js';
import { scopeOf, type KeyAccessFacts, type OperationCall } from '../service.js';
import { aliasArn, keyArn, parseKeyIdentifier } from './identifiers.js';
import { assertKeyStateAllows, type KeyStateOperation } from './key-states.js';
import { say } from '../messages.js';
import { isDeleted } from '../lifecycle/due-dates.js';

export interface ResolveOptions {
  /** Whether the operation accepts alias names and alias ARNs. */
  readonly allowAliases: boolean;
  /** The operation's row of the key state table, which says the key states it accepts. */
  readonly rule: KeyStateOperation;
  /** The IAM action the caller must be allowed on the key (e.g. `kms:Encrypt`). */
  readonly action: string;
  /** Facts for the action's condition keys (kms:ReEncryptOnSameKey, the grant being created). */
  readonly facts?: KeyAccessFacts | ((key: KeyRecord) => KeyAccessFacts);
}

/** The stored key an identifier names, without authorization or key state checks; throws NotFoundException. */
export async function findKey(call: OperationCall<unknown>, raw: string, options: Pick<ResolveOptions, 'allowAliases'>): Promise<KeyRecord> {
  const { deps, ctx } = call;
  const id = parseKeyIdentifier(raw, scopeOf(ctx), options);
  let keyId: string;
  if ('aliasName' in id) {
    const alias = id.region === ctx.region ? await deps.aliases.getAlias(id.accountId, id.region, id.aliasName) : undefined;
    if (alias === undefined) throw new NotFoundException(say('aliasNotFound', { aliasArn: aliasArn(id, id.aliasName) }));
    keyId = alias.targetKeyId;
  } else {
    keyId = id.keyId;
  }
  const arn = keyArn(id, keyId);
  /* Precondition: keys live in one Region; a key ARN of another Region names no key here. */
  if (id.region !== ctx.region) throw new NotFoundException(say('keyArnInOtherRegion', { region: id.region }));
  const key = await deps.keys.getKey({ accountId: id.accountId, region: id.region, keyId });
  /* Precondition: the key exists; a key past its deletion date is deleted, even before its items are removed. */
  if (key === undefined || isDeleted(key, deps.clock.now())) throw new NotFoundException(say('keyDoesNotExist', { arn }));
  return key;
}

/**
 * The key an identifier names, once the caller is allowed `options.action` on it (key policy, IAM
 * policies, grants) and its state allows the operation.
 */
export async function resolveKey(call: OperationCall<unknown>, raw: string, options: ResolveOptions): Promise<KeyRecord> {
  const key = await findKey(call, raw, options);
  call.touched.add(key.arn);
  const facts = typeof options.facts === 'function' ? options.facts(key) : options.facts;
  await call.deps.access.onKey(call, key, options.action, facts);
  assertKeyStateAllows(key, options.rule);
  return key;
}
