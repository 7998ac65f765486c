/**
 * STS GetCallerIdentity and AssumeRole. AssumeRole evaluates the role's trust policy as a
 * resource-based policy (with sts:ExternalId, sts:RoleSessionName, sts:SourceIdentity and the
 * session's aws:RequestTag / aws:TagKeys), together with the caller's own IAM policies: within the
 * role's account a trust policy naming the caller allows by itself and one naming the account
 * defers to the caller's policies; from another account both must allow. Passing session tags
 * also needs sts:TagSession. Temporary credentials are stored like access keys, with the SHA-256
 * of their session token, and SigV4 refuses them after they expire.
 */
import { needs } from '../errors/service-error.js';
import { identityChain } from '../authz/index.js';
import { AccessDeniedError, UnsupportedOperationError, ValidationError } from '../../models/iam/generated/errors.js';
import { bytesToHex } from '../encoding.js';
import { authzPrincipalOf, identityPolicyOutcome, requestConditionKeys } from '../iam/iam-authorization.js';
import { accessKeyId, assumedRoleArn, parseIamArn, secretAccessKey, sessionToken } from '../iam/identifiers.js';
import { compiledTrustPolicy } from '../iam/policy-documents.js';
import { mergeTags, tagRecord, tagsFromWire, type WireTag } from '../iam/tags.js';
import { accessKeyAad, type IdentityCall } from '../iam/service.js';
import { sayIam } from '../iam/messages.js';

/** Role chaining (a role session assuming a role) is limited to one hour (IAM User Guide, "Role chaining"). */
const CHAINED_MAX_SECONDS = 3600;
const DEFAULT_DURATION_SECONDS = 3600;

/** SHA-256 of a session token, as stored; `digest` is the platform's (Web Crypto). */
export async function sessionTokenHash(token: string, digest: (data: Uint8Array) => Promise<Uint8Array>): Promise<string> {
  return bytesToHex(await digest(new TextEncoder().encode(token)));
}

export async function getCallerIdentity(call: IdentityCall<Record<string, never>>) {
  // Needs no permission: even a caller denied everything may ask who it is.
  const { principal } = call.ctx;
  return { UserId: principal.principalId, Account: principal.accountId, Arn: principal.arn };
}

/** Parameters of AssumeRole this service does not offer; a request that uses one is refused, naming it. */
const UNSUPPORTED_PARAMETERS = ['Policy', 'PolicyArns', 'SerialNumber', 'TokenCode', 'ProvidedContexts', 'TransitiveTagKeys'] as const;

export function assumeRole(digest: (data: Uint8Array) => Promise<Uint8Array>) {
  return async (call: IdentityCall<{
    RoleArn: string; RoleSessionName: string; DurationSeconds?: number; ExternalId?: string; SourceIdentity?: string; Tags?: WireTag[];
  } & Partial<Record<(typeof UNSUPPORTED_PARAMETERS)[number], unknown>>>) => {
    const { deps, ctx, input } = call;
    const { principal } = ctx;
    for (const name of UNSUPPORTED_PARAMETERS) {
      /* Precondition: the request uses only the AssumeRole parameters this service offers. */
      needs(input[name] === undefined, () => sayIam('assumeRoleParameterNotSupported', { parameter: name }), UnsupportedOperationError);
    }
    /* Precondition: an account's root user cannot assume roles. */
    needs(principal.type !== 'Root', sayIam('rootCannotAssumeRoles'), AccessDeniedError);
    const now = deps.clock.now();
    const denied = sayIam('notAuthorizedForRole', { principal: principal.arn, action: 'sts:AssumeRole', resource: input.RoleArn });
    const parsed = parseIamArn(input.RoleArn);
    const role = parsed?.kind === 'role' ? await deps.store.getRole(parsed.accountId, parsed.name) : undefined;
    /* Precondition: the role exists (an unknown role is denied like a forbidden one). */
    needs(role !== undefined && role.arn === input.RoleArn, denied, AccessDeniedError);
    const chained = principal.type === 'AssumedRole';
    const duration = input.DurationSeconds ?? DEFAULT_DURATION_SECONDS;
    /* Precondition: a chained session lasts at most one hour. */
    needs(!chained || duration <= CHAINED_MAX_SECONDS, sayIam('chainedSessionTooLong'), ValidationError);
    /* Precondition: the session lasts no longer than the role's MaxSessionDuration. */
    needs(duration <= role.maxSessionDuration, sayIam('sessionTooLong'), ValidationError);
    const sessionTags = tagsFromWire(input.Tags);
    const keys = requestConditionKeys(ctx, now, (builder) => builder
      .set('sts:ExternalId', input.ExternalId)
      .set('sts:RoleSessionName', input.RoleSessionName)
      .set('sts:SourceIdentity', input.SourceIdentity)
      .tags('aws:RequestTag/', tagRecord(sessionTags))
      .set('aws:TagKeys', sessionTags.length === 0 ? undefined : sessionTags.map((tag) => tag.key)));
    const chain = identityChain(authzPrincipalOf(principal));
    const trust = compiledTrustPolicy(role.assumeRolePolicyDocument);
    const actions = sessionTags.length === 0 ? ['sts:AssumeRole'] : ['sts:AssumeRole', 'sts:TagSession'];
    for (const action of actions) {
      const outcome = trust.evaluate({ action, resource: role.arn, chain, lookup: (name) => keys.get(name) });
      const identity = await identityPolicyOutcome(deps.directory, ctx, action, role.arn, keys);
      const sameAccount = principal.accountId === role.accountId;
      const trusted = outcome.deny === undefined && (outcome.allowDirect !== undefined || outcome.allowAccount !== undefined);
      const allowed = identity !== 'deny' && trusted
        && ((sameAccount && outcome.allowDirect !== undefined) || identity === 'allow');
      /* Precondition: the trust policy and the caller's IAM policies allow the session (and its tags). */
      needs(allowed, action === 'sts:AssumeRole' ? denied : sayIam('notAuthorizedForRole', { principal: principal.arn, action: 'sts:TagSession', resource: role.arn }), AccessDeniedError);
    }
    const expiresAt = now.getTime() + duration * 1000;
    const id = accessKeyId('ASIA', deps.ids.hex64());
    const secret = secretAccessKey(deps.ids.hex64());
    const token = sessionToken([deps.ids.hex64(), deps.ids.hex64(), deps.ids.hex64()]);
    const plain = new TextEncoder().encode(secret);
    const sealedSecret = await deps.material.sealSecret(plain, accessKeyAad(id));
    plain.fill(0);
    const sessionArn = assumedRoleArn(role.accountId, role.roleName, input.RoleSessionName);
    await deps.store.putSessionCredentials({
      accessKeyId: id, sealedSecret, accountId: role.accountId, principalArn: sessionArn, principalId: `${role.roleId}:${input.RoleSessionName}`,
      status: 'Active', creationDate: now.getTime(),
      session: {
        tokenHash: await sessionTokenHash(token, digest), roleArn: role.arn, roleName: role.roleName, roleId: role.roleId,
        sessionName: input.RoleSessionName, issuedAt: now.getTime(), expiresAt,
        ...(input.SourceIdentity === undefined ? {} : { sourceIdentity: input.SourceIdentity }),
        // The principal's tags: the role's, with session tags taking precedence.
        tags: mergeTags(role.tags, sessionTags), assumedBy: principal.arn,
      },
    });
    return {
      Credentials: { AccessKeyId: id, SecretAccessKey: secret, SessionToken: token, Expiration: new Date(expiresAt) },
      AssumedRoleUser: { AssumedRoleId: `${role.roleId}:${input.RoleSessionName}`, Arn: sessionArn },
      ...(input.SourceIdentity === undefined ? {} : { SourceIdentity: input.SourceIdentity }),
    };
  };
}
