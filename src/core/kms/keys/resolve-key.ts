/** Turns a `KeyId` request member into the stored key it names, as AWS KMS resolves it. */
import { AccessDeniedException, NotFoundException } from '../../../models/kms/generated/errors.js';
import type { KeyRecord } from '../records.js';
import { scopeOf, type OperationCall } from '../service.js';
import { aliasArn, keyArn, parseKeyIdentifier } from './identifiers.js';
import { assertKeyStateAllows, type KeyStateOperation } from './key-states.js';
import { isDeleted } from '../lifecycle/due-dates.js';

export interface ResolveOptions {
  /** Whether the operation accepts alias names and alias ARNs. */
  readonly allowAliases: boolean;
  /** The operation's row of the key state table, which says the key states it accepts. */
  readonly rule: KeyStateOperation;
  /** The IAM action, for the access-denied message (e.g. `kms:Encrypt`). */
  readonly action: string;
}

export async function resolveKey(call: OperationCall<unknown>, raw: string, options: ResolveOptions): Promise<KeyRecord> {
  const { deps, ctx } = call;
  const id = parseKeyIdentifier(raw, scopeOf(ctx), options);
  let keyId: string;
  if ('aliasName' in id) {
    const alias = id.region === ctx.region ? await deps.aliases.getAlias(id.accountId, id.region, id.aliasName) : undefined;
    if (alias === undefined) throw new NotFoundException(`Alias ${aliasArn(id, id.aliasName)} is not found.`);
    keyId = alias.targetKeyId;
  } else {
    keyId = id.keyId;
  }
  const arn = keyArn(id, keyId);
  /* Precondition: keys live in one Region; a key ARN of another Region names no key here. */
  if (id.region !== ctx.region) throw new NotFoundException(`Key '${arn}' does not exist`);
  const key = await deps.keys.getKey({ accountId: id.accountId, region: id.region, keyId });
  /* Precondition: the key exists; a key past its deletion date is deleted, even before its items are removed. */
  if (key === undefined || isDeleted(key, deps.clock.now())) throw new NotFoundException(`Key '${arn}' does not exist`);
  /*
   * Precondition: until key policies are evaluated, a key is usable only by its own account,
   * which is what the default key policy grants.
   */
  if (key.accountId !== ctx.principal.accountId) {
    throw new AccessDeniedException(
      `User: ${ctx.principal.arn} is not authorized to perform: ${options.action} on resource: ${key.arn} because no resource-based policy allows the ${options.action} action`,
    );
  }
  call.touched.add(key.arn);
  assertKeyStateAllows(key, options.rule);
  return key;
}
