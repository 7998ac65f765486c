/**
 * Every wire message of the IAM and STS API this service offers, each written once with the
 * exception that carries it and where its wording comes from. `{name}` marks a placeholder;
 * {@link sayIam} fills them. The policy grammar's messages are in src/core/authz/messages.ts.
 *
 * Templates whose source is `ours` are listed in docs/differences-from-aws-kms.md; the
 * conformance suite (test/conformance) exercises every one.
 */
import { speaker, type WordingSource } from '../errors/message-templates.js';

const LOGS: WordingSource = { aws: 'AWS answers quoted in public AWS CLI, Terraform and CloudFormation logs' };
const ours = (what: string): WordingSource => ({ ours: `No public recording of ${what}.` });
const NOT_OFFERED: WordingSource = { ours: 'A feature this service does not offer yet (see the README).' };

export const IAM_MESSAGES = {
  // Protocol
  unknownQueryAction: { exception: 'InvalidActionError', text: 'Could not find operation {action} for version {version}', source: LOGS },

  // Users, roles and their policies
  noSuchUser: { exception: 'NoSuchEntityException', text: 'The user with name {name} cannot be found.', source: LOGS },
  noSuchRole: { exception: 'NoSuchEntityException', text: 'The role with name {name} cannot be found.', source: LOGS },
  noSuchInlinePolicy: { exception: 'NoSuchEntityException', text: 'The {kind} policy with name {name} cannot be found.', source: LOGS },
  userExists: { exception: 'EntityAlreadyExistsException', text: 'User with name {name} already exists.', source: LOGS },
  roleExists: { exception: 'EntityAlreadyExistsException', text: 'Role with name {name} already exists.', source: LOGS },
  userNameRequired: { exception: 'ValidationError', text: 'Must specify userName when calling with non-User credentials', source: LOGS },
  permissionsBoundaryNotSupported: { exception: 'ValidationError', text: 'PermissionsBoundary is not supported by this service.', source: NOT_OFFERED },
  inlinePolicyQuota: { exception: 'LimitExceededException', text: 'Maximum policy size of {quota} bytes exceeded for {kind} {name}', source: LOGS },
  trustPolicyQuota: { exception: 'LimitExceededException', text: 'Cannot exceed quota for ACLSizePerRole: {quota}', source: LOGS },
  trustPolicyResource: { exception: 'MalformedPolicyDocumentException', text: 'Has prohibited field Resource', source: LOGS },

  // Managed policies
  invalidPolicyArn: { exception: 'InvalidInputException', text: 'ARN {arn} is not valid.', source: ours('an IAM call naming a policy by an ARN that is not one') },
  noSuchManagedPolicy: { exception: 'NoSuchEntityException', text: 'Policy {arn} does not exist or is not attachable.', source: LOGS },
  noSuchPolicyVersion: { exception: 'NoSuchEntityException', text: 'Policy {arn} version {versionId} does not exist or is not attachable.', source: LOGS },
  managedPolicySizeQuota: { exception: 'LimitExceededException', text: 'Cannot exceed quota for PolicySize: {quota}', source: LOGS },
  managedPolicyExists: { exception: 'EntityAlreadyExistsException', text: 'A policy called {name} already exists. Duplicate names are not allowed.', source: LOGS },
  policyAttached: { exception: 'DeleteConflictException', text: 'Cannot delete a policy attached to entities.', source: LOGS },
  policyNotAttached: { exception: 'NoSuchEntityException', text: 'Policy {arn} was not found.', source: LOGS },
  deleteConflict: { exception: 'DeleteConflictException', text: 'Cannot delete entity, must {requirement} first.', source: LOGS },
  concurrentModification: {
    exception: 'ConcurrentModificationException',
    text: 'The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.',
    source: { aws: 'AWS IAM API Reference, ConcurrentModificationException' },
  },
  attachedPoliciesQuota: { exception: 'LimitExceededException', text: 'Cannot exceed quota for PoliciesPer{owner}: {quota}', source: LOGS },

  // Access keys
  noSuchAccessKey: { exception: 'NoSuchEntityException', text: 'The Access Key with id {accessKeyId} cannot be found.', source: LOGS },
  accessKeysQuota: { exception: 'LimitExceededException', text: 'Cannot exceed quota for AccessKeysPerUser: {quota}', source: LOGS },
  accessKeyIdTaken: {
    exception: 'ConcurrentModificationException', text: 'The access key ID is already in use. Retry the request.',
    source: ours('a generated access key ID that is taken (never expected: access key IDs are random)'),
  },
  accessKeyStatus: {
    exception: 'ValidationError', text: 'The status of an access key can only be changed to Active or Inactive.',
    source: ours('UpdateAccessKey with the status Expired'),
  },

  // Tags and paging
  iamDuplicateTagKeys: { exception: 'InvalidInputException', text: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.', source: LOGS },
  reservedTagPrefix: { exception: 'InvalidInputException', text: 'User-defined tag keys cannot begin with the reserved prefix aws:.', source: ours('an IAM tag key with the aws: prefix') },
  tagsQuota: { exception: 'LimitExceededException', text: 'The number of tags has reached the maximum limit.', source: ours('an IAM resource over 50 tags') },
  iamInvalidMarker: { exception: 'ValidationError', text: 'Invalid Marker.', source: ours('an IAM Marker this service did not give') },

  // STS
  assumeRoleParameterNotSupported: { exception: 'UnsupportedOperationError', text: 'AssumeRole with {parameter} is not supported by this service.', source: NOT_OFFERED },
  rootCannotAssumeRoles: { exception: 'AccessDeniedError', text: 'Roles may not be assumed by root accounts.', source: LOGS },
  notAuthorizedForRole: { exception: 'AccessDeniedError', text: 'User: {principal} is not authorized to perform: {action} on resource: {resource}', source: LOGS },
  chainedSessionTooLong: {
    exception: 'ValidationError', text: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.', source: LOGS,
  },
  sessionTooLong: { exception: 'ValidationError', text: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', source: LOGS },
} as const;

export type IamMessageName = keyof typeof IAM_MESSAGES;

/** The IAM or STS wire message `name` with its placeholders filled in. */
export const sayIam = speaker(IAM_MESSAGES);
