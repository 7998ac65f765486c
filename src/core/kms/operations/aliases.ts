/** CreateAlias, UpdateAlias, DeleteAlias and ListAliases. */
import { InvalidAliasNameException, NotFoundException, ValidationException } from '../../../models/kms/generated/errors.js';
import type { OperationCall, OperationHandler } from '../service.js';
import { scopeOf } from '../service.js';
import type { KeyRecord } from '../records.js';
import { ALIAS_PREFIX, RESERVED_ALIAS_PREFIX, aliasArn } from '../keys/identifiers.js';
import { findKey, resolveKey } from '../keys/resolve-key.js';
import { isAsymmetricSpec, isHmacSpec } from '../keys/key-specs.js';
import { needs } from '../../errors/service-error.js';
import { pageOf } from './paging.js';
import { say } from '../messages.js';

/** ListAliases returns at most 100 aliases a page, 50 unless asked. */
const MAX_ALIAS_PAGE = 100;

function assertCustomerAliasName(aliasName: string): void {
  /* Precondition: alias names begin with alias/. */
  needs(aliasName.startsWith(ALIAS_PREFIX) && aliasName.length > ALIAS_PREFIX.length,
    say('aliasPrefix'), ValidationException);
  /* Precondition: the alias/aws/ prefix is reserved for AWS managed keys. */
  needs(!aliasName.startsWith(RESERVED_ALIAS_PREFIX),
    () => say('reservedAlias', { aliasName }), InvalidAliasNameException);
}

async function resolveAliasTarget(call: OperationCall<unknown>, targetKeyId: string, operation: 'CreateAlias' | 'UpdateAlias'): Promise<KeyRecord> {
  return resolveKey(call, targetKeyId, { allowAliases: false, rule: operation, action: `kms:${operation}` });
}

export const createAlias: OperationHandler<'CreateAlias'> = async (call) => {
  const { deps, ctx, input } = call;
  assertCustomerAliasName(input.AliasName);
  /* CreateAlias needs kms:CreateAlias on the alias (IAM policies) and on the key. */
  await deps.access.onAlias(call, aliasArn(scopeOf(ctx), input.AliasName), 'kms:CreateAlias');
  const key = await resolveAliasTarget(call, input.TargetKeyId, 'CreateAlias');
  const now = deps.clock.now().getTime();
  await deps.aliases.createAlias({
    ...scopeOf(ctx), aliasName: input.AliasName, targetKeyId: key.keyId, creationDate: now, lastUpdatedDate: now,
  });
  return {};
};

export const updateAlias: OperationHandler<'UpdateAlias'> = async (call) => {
  const { deps, ctx, input } = call;
  assertCustomerAliasName(input.AliasName);
  const { accountId, region } = scopeOf(ctx);
  /* UpdateAlias needs kms:UpdateAlias on the alias, on the key it points at and on the new key. */
  await deps.access.onAlias(call, aliasArn({ accountId, region }, input.AliasName), 'kms:UpdateAlias');
  const alias = await deps.aliases.getAlias(accountId, region, input.AliasName);
  if (alias === undefined) throw new NotFoundException(say('aliasNotFound', { aliasArn: aliasArn({ accountId, region }, input.AliasName) }));
  const current = await deps.keys.getKey({ accountId, region, keyId: alias.targetKeyId });
  if (current !== undefined) {
    call.touched.add(current.arn);
    await deps.access.onKey(call, current, 'kms:UpdateAlias');
  }
  const next = await resolveAliasTarget(call, input.TargetKeyId, 'UpdateAlias');
  /* Precondition: an alias moves only between keys of the same type and key usage. */
  needs(current === undefined || (keyType(current) === keyType(next) && current.keyUsage === next.keyUsage),
    () => say('aliasTargetMismatch', { arn: next.arn }), ValidationException);
  await deps.aliases.updateAlias({ ...alias, targetKeyId: next.keyId, lastUpdatedDate: deps.clock.now().getTime() });
  return {};
};

export const deleteAlias: OperationHandler<'DeleteAlias'> = async (call) => {
  const { deps, ctx, input } = call;
  assertCustomerAliasName(input.AliasName);
  const { accountId, region } = scopeOf(ctx);
  /* DeleteAlias needs kms:DeleteAlias on the alias and on the key it points at. */
  await deps.access.onAlias(call, aliasArn({ accountId, region }, input.AliasName), 'kms:DeleteAlias');
  const alias = await deps.aliases.getAlias(accountId, region, input.AliasName);
  if (alias === undefined) throw new NotFoundException(say('aliasNotFound', { aliasArn: aliasArn({ accountId, region }, input.AliasName) }));
  const key = await deps.keys.getKey({ accountId, region, keyId: alias.targetKeyId });
  if (key !== undefined) {
    call.touched.add(key.arn);
    await deps.access.onKey(call, key, 'kms:DeleteAlias');
  }
  await deps.aliases.deleteAlias(accountId, region, input.AliasName);
  return {};
};

export const listAliases: OperationHandler<'ListAliases'> = async (call) => {
  const { deps, ctx, input } = call;
  const scope = scopeOf(ctx);
  // ListAliases is authorized on no resource, even with a KeyId (Developer Guide, permissions reference).
  await deps.access.onNoResource(call, 'kms:ListAliases');
  const key = input.KeyId === undefined ? undefined : await findKey(call, input.KeyId, { allowAliases: false });
  const page = await deps.aliases.listAliases(scope.accountId, scope.region, {
    limit: Math.min(input.Limit ?? 50, MAX_ALIAS_PAGE),
    marker: input.Marker,
    ...(key === undefined ? {} : { keyId: key.keyId }),
  });
  return {
    Aliases: page.items.map((alias) => ({
      AliasName: alias.aliasName,
      AliasArn: aliasArn(scope, alias.aliasName),
      TargetKeyId: alias.targetKeyId,
      CreationDate: new Date(alias.creationDate),
      LastUpdatedDate: new Date(alias.lastUpdatedDate),
    })),
    ...pageOf(page),
  };
};

/** Symmetric, HMAC or asymmetric: an alias moves only within one of these. */
function keyType(key: KeyRecord): 'symmetric' | 'hmac' | 'asymmetric' {
  if (isHmacSpec(key.keySpec)) return 'hmac';
  return isAsymmetricSpec(key.keySpec) ? 'asymmetric' : 'symmetric';
}

export const aliasOperations = {
  CreateAlias: createAlias,
  UpdateAlias: updateAlias,
  DeleteAlias: deleteAlias,
  ListAliases: listAliases,
} as const;
