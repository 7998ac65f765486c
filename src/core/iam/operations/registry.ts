/** Every IAM and STS operation of the subset, by service and action name. */
import type { OperationName as IamOperation } from '../../../models/iam/generated/schema.js';
import type { OperationName as StsOperation } from '../../../models/sts/generated/schema.js';
import { assumeRole, getCallerIdentity } from '../../sts/operations.js';
import type { IdentityHandler } from '../service.js';
import { createAccessKey, deleteAccessKey, listAccessKeys, updateAccessKey } from './access-keys.js';
import { attachPolicy, detachPolicy, listAttachedPolicies } from './attachments.js';
import { deletePolicy as deleteInline, getPolicy as getInline, listPolicies as listInline, putPolicy as putInline } from './inline-policies.js';
import { createPolicy, deletePolicy, getPolicy, getPolicyVersion, listPolicies } from './managed-policies.js';
import { createRole, deleteRole, getRole, listRoles, tagRole, untagRole } from './roles.js';
import { createUser, deleteUser, getUser, listUsers, tagUser, untagUser } from './users.js';

/** The handlers take their input as the Query decoder built it from the model; the casts name its shape. */
const handler = (operation: (call: never) => Promise<Record<string, unknown> | undefined>): IdentityHandler => operation as IdentityHandler;

export const IAM_HANDLERS: Readonly<Record<IamOperation, IdentityHandler>> = {
  CreateUser: handler(createUser),
  GetUser: handler(getUser),
  ListUsers: handler(listUsers),
  DeleteUser: handler(deleteUser),
  TagUser: handler(tagUser),
  UntagUser: handler(untagUser),
  CreateAccessKey: handler(createAccessKey),
  ListAccessKeys: handler(listAccessKeys),
  UpdateAccessKey: handler(updateAccessKey),
  DeleteAccessKey: handler(deleteAccessKey),
  CreateRole: handler(createRole),
  GetRole: handler(getRole),
  ListRoles: handler(listRoles),
  DeleteRole: handler(deleteRole),
  TagRole: handler(tagRole),
  UntagRole: handler(untagRole),
  PutUserPolicy: handler(putInline('user')),
  GetUserPolicy: handler(getInline('user')),
  ListUserPolicies: handler(listInline('user')),
  DeleteUserPolicy: handler(deleteInline('user')),
  PutRolePolicy: handler(putInline('role')),
  GetRolePolicy: handler(getInline('role')),
  ListRolePolicies: handler(listInline('role')),
  DeleteRolePolicy: handler(deleteInline('role')),
  CreatePolicy: handler(createPolicy),
  GetPolicy: handler(getPolicy),
  GetPolicyVersion: handler(getPolicyVersion),
  ListPolicies: handler(listPolicies),
  DeletePolicy: handler(deletePolicy),
  AttachUserPolicy: handler(attachPolicy('user')),
  DetachUserPolicy: handler(detachPolicy('user')),
  AttachRolePolicy: handler(attachPolicy('role')),
  DetachRolePolicy: handler(detachPolicy('role')),
  ListAttachedUserPolicies: handler(listAttachedPolicies('user')),
  ListAttachedRolePolicies: handler(listAttachedPolicies('role')),
};

/** STS handlers; AssumeRole hashes session tokens with the platform's SHA-256. */
export function stsHandlers(sha256: (data: Uint8Array) => Promise<Uint8Array>): Readonly<Record<StsOperation, IdentityHandler>> {
  return {
    GetCallerIdentity: handler(getCallerIdentity),
    AssumeRole: handler(assumeRole(sha256)),
  };
}
