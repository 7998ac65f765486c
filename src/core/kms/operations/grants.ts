/** CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant. */
import {
  AccessDeniedException, InvalidArnException, InvalidGrantIdException, InvalidGrantTokenException, LimitExceededException, ValidationException,
} from '../../../models/kms/generated/errors.js';
import type { CreateGrantRequest as CreateGrantInput, GrantListEntry } from '../../../models/kms/generated/shapes.js';
import { accessDeniedMessage, retirementRight, type GrantConstraintsRecord } from '../../authz/index.js';
import { needs } from '../../errors/service-error.js';
import type { KeyLocator, Page } from '../../ports/index.js';
import {
  checkGrantConstraints, checkGrantOperations, checkGrantPrincipal, GRANT_ID_PATTERN, identityBehind, isGrantPrincipal, sameGrantRequest,
} from '../grants/grant-rules.js';
import { issueGrantToken } from '../grants/grant-token.js';
import { grantOfToken, StoredGrantLookup } from '../grants/stored-grant-lookup.js';
import type { StoredGrant } from '../grants/stored-grant.js';
import { partitionOf } from '../keys/identifiers.js';
import { findKey, resolveKey } from '../keys/resolve-key.js';
import { authzPrincipalOf } from '../access/policy-access-control.js';
import type { KeyRecord } from '../records.js';
import { type OperationCall, type OperationHandler } from '../service.js';
import { assertNotDryRun } from './dry-run.js';
import { pageOf } from './paging.js';
import { say } from '../messages.js';

/** Developer Guide, "Quotas": grants per KMS key. */
export const MAX_GRANTS_PER_KEY = 50_000;
/** ListGrants and ListRetirableGrants return at most 100 grants a page, 50 unless asked. */
const MAX_GRANT_PAGE = 100;
const DEFAULT_GRANT_PAGE = 50;


export const createGrant: OperationHandler<'CreateGrant'> = async (call) => {
  const { deps, ctx, input } = call;
  // A grant that allows CreateGrant allows only grants no wider than itself.
  const key = await resolveKey(call, input.KeyId, {
    allowAliases: false, rule: 'CreateGrant', action: 'kms:CreateGrant',
    facts: { requestedGrant: { operations: input.Operations, ...constraintsOf(input.Constraints) } },
  });
  for (const principal of [input.GranteePrincipal, ...(input.RetiringPrincipal === undefined ? [] : [input.RetiringPrincipal])]) {
    checkGrantPrincipal(principal);
    const identity = identityBehind(principal);
    /* Precondition: a grant's grantee and retiring principals exist. */
    needs(identity === undefined || await deps.access.principalExists(identity), () => say('grantPrincipalInvalid', { principal }), InvalidArnException);
  }
  const operations = checkGrantOperations(key, input.Operations);
  const constraints = checkGrantConstraints(key, input.Constraints);
  await new StoredGrantLookup(deps.grants).grantsForTokens(input.GrantTokens ?? [], key);
  const locator = locatorOf(key);
  const requested = {
    granteePrincipal: input.GranteePrincipal,
    ...(input.RetiringPrincipal === undefined ? {} : { retiringPrincipal: input.RetiringPrincipal }),
    operations,
    ...(constraints === undefined ? {} : { constraints }),
    ...(input.Name === undefined ? {} : { name: input.Name }),
  };
  // A request with a Name that matches an existing grant in every property is a retry.
  const existing = input.Name === undefined
    ? undefined
    : (await deps.grants.allGrants(locator)).find((grant) => sameGrantRequest(grant, requested));
  if (existing === undefined) {
    /* Precondition: a key has at most 50,000 grants. */
    needs(await deps.grants.countGrants(locator) < MAX_GRANTS_PER_KEY,
      () => say('tooManyGrants', { arn: key.arn, limit: MAX_GRANTS_PER_KEY }), LimitExceededException);
  }
  assertNotDryRun(input.DryRun);
  const grant: StoredGrant = existing ?? {
    ...locator,
    ...requested,
    grantId: deps.ids.hex64(),
    keyArn: key.arn,
    issuingAccount: `arn:${partitionOf(ctx.region)}:iam::${ctx.principal.accountId}:root`,
    creationDate: deps.clock.now().getTime(),
    tokenSecret: deps.ids.hex64(),
  };
  if (existing === undefined) await deps.grants.createGrant(grant);
  const token = issueGrantToken({ grantId: grant.grantId, keyArn: grant.keyArn, secret: grant.tokenSecret }, deps.ids.hex64().slice(32));
  return { GrantId: grant.grantId, GrantToken: token };
};

export const listGrants: OperationHandler<'ListGrants'> = async (call) => {
  const { deps, input } = call;
  const key = await resolveKey(call, input.KeyId, { allowAliases: false, rule: 'ListGrants', action: 'kms:ListGrants' });
  const locator = locatorOf(key);
  if (input.GrantId !== undefined) {
    const grant = await findGrant(call, locator, input.GrantId);
    const matches = input.GranteePrincipal === undefined || grant.granteePrincipal === input.GranteePrincipal;
    return { Grants: matches ? [grantEntry(grant)] : [], Truncated: false };
  }
  const page = await deps.grants.listGrants(locator, {
    limit: pageLimit(input.Limit),
    marker: input.Marker,
    ...(input.GranteePrincipal === undefined ? {} : { granteePrincipal: input.GranteePrincipal }),
  });
  return listing(page);
};

export const listRetirableGrants: OperationHandler<'ListRetirableGrants'> = async (call) => {
  const { deps, ctx, input } = call;
  await deps.access.onNoResource(call, 'kms:ListRetirableGrants');
  const principal = input.RetiringPrincipal;
  checkGrantPrincipal(principal);
  /* Precondition: ListRetirableGrants lists the grants of a principal in the caller's account. */
  needs(principalAccount(principal) === ctx.principal.accountId, accessDeniedMessage({
    principalArn: ctx.principal.arn, action: 'kms:ListRetirableGrants', resource: '*', explicit: false, policyType: 'identity-based',
  }), AccessDeniedException);
  const page = await deps.grants.listRetirableGrants(ctx.region, principal, { limit: pageLimit(input.Limit), marker: input.Marker });
  return listing(page);
};

export const retireGrant: OperationHandler<'RetireGrant'> = async (call) => {
  const { deps, ctx, input } = call;
  let grant: StoredGrant;
  if (input.GrantToken !== undefined) {
    const named = await grantOfToken(deps.grants, input.GrantToken);
    // A token whose grant was retired or revoked no longer names a grant.
    if (named === undefined) throw new InvalidGrantTokenException(say('invalidGrantToken'));
    grant = named;
    call.touched.add(grant.keyArn);
  } else {
    /* Precondition: RetireGrant names its grant by a grant token, or by a key and a grant ID. */
    needs(input.KeyId !== undefined && input.GrantId !== undefined,
      say('retireGrantTarget'), ValidationException);
    // The key may belong to another account: a retiring principal can be anywhere.
    const key = await findKey(call, input.KeyId, { allowAliases: false });
    call.touched.add(key.arn);
    grant = await findGrant(call, locatorOf(key), input.GrantId);
  }
  /*
   * Precondition: only the retiring principal, a grantee whose grant allows RetireGrant, or the
   * account that created the grant (or a retiring account) may retire a grant; an account
   * delegates through its IAM policies.
   */
  await deps.access.onRetireGrant(call, grant.keyArn, retirementRight(grant, authzPrincipalOf(ctx.principal)), grant.grantId);
  assertNotDryRun(input.DryRun);
  await deleteGrant(call, grant);
  return {};
};

export const revokeGrant: OperationHandler<'RevokeGrant'> = async (call) => {
  const { input } = call;
  const key = await resolveKey(call, input.KeyId, { allowAliases: false, rule: 'RevokeGrant', action: 'kms:RevokeGrant' });
  const grant = await findGrant(call, locatorOf(key), input.GrantId);
  assertNotDryRun(input.DryRun);
  await deleteGrant(call, grant);
  return {};
};

async function findGrant(call: OperationCall<unknown>, key: KeyLocator, grantId: string): Promise<StoredGrant> {
  /* Precondition: a grant ID names a grant of the key. */
  const grant = GRANT_ID_PATTERN.test(grantId) ? await call.deps.grants.getGrant(key, grantId) : undefined;
  if (grant === undefined) throw new InvalidGrantIdException(say('invalidGrantId'));
  return grant;
}

async function deleteGrant(call: OperationCall<unknown>, grant: StoredGrant): Promise<void> {
  const deleted = await call.deps.grants.deleteGrant(grant, grant.grantId);
  // Another request retired or revoked it in the meantime.
  if (!deleted) throw new InvalidGrantIdException(say('invalidGrantId'));
}

/** The constraints of a CreateGrant request as the policy engine compares them. */
function constraintsOf(constraints: CreateGrantInput['Constraints']): { constraints?: GrantConstraintsRecord } {
  const equals = constraints?.EncryptionContextEquals;
  const subset = constraints?.EncryptionContextSubset;
  if (equals === undefined && subset === undefined) return {};
  return {
    constraints: {
      ...(equals === undefined ? {} : { encryptionContextEquals: equals }),
      ...(subset === undefined ? {} : { encryptionContextSubset: subset }),
    },
  };
}

function locatorOf(key: KeyRecord): KeyLocator {
  return { accountId: key.accountId, region: key.region, keyId: key.keyId };
}

function pageLimit(limit: number | undefined): number {
  return Math.min(limit ?? DEFAULT_GRANT_PAGE, MAX_GRANT_PAGE);
}

function listing(page: Page<StoredGrant>): { Grants: GrantListEntry[]; Truncated: boolean; NextMarker?: string } {
  return { Grants: page.items.map(grantEntry), ...pageOf(page) };
}

/** A grant as ListGrants shows it: AWS answers an empty Name for a grant created without one. */
export function grantEntry(grant: StoredGrant): GrantListEntry {
  const equals = grant.constraints?.encryptionContextEquals;
  const subset = grant.constraints?.encryptionContextSubset;
  return {
    KeyId: grant.keyArn,
    GrantId: grant.grantId,
    Name: grant.name ?? '',
    CreationDate: new Date(grant.creationDate),
    GranteePrincipal: grant.granteePrincipal,
    ...(grant.retiringPrincipal === undefined ? {} : { RetiringPrincipal: grant.retiringPrincipal }),
    IssuingAccount: grant.issuingAccount,
    Operations: [...grant.operations],
    ...(grant.constraints === undefined ? {} : {
      Constraints: {
        ...(equals === undefined ? {} : { EncryptionContextEquals: { ...equals } }),
        ...(subset === undefined ? {} : { EncryptionContextSubset: { ...subset } }),
      },
    }),
  };
}

/** The account of a principal ARN; undefined for a service principal. */
function principalAccount(principal: string): string | undefined {
  return isGrantPrincipal(principal) ? /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1] : undefined;
}


export const grantOperations = {
  CreateGrant: createGrant,
  ListGrants: listGrants,
  ListRetirableGrants: listRetirableGrants,
  RetireGrant: retireGrant,
  RevokeGrant: revokeGrant,
} as const;
