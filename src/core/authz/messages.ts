/**
 * Every wire message of the policy grammar (key policies and IAM policies), each written once with
 * the exception that carries it and where its wording comes from. `{name}` marks a placeholder;
 * {@link sayPolicy} fills them. A caller may carry a message in another exception class of the same
 * meaning (IAM's MalformedPolicyDocument, LimitExceeded); the table names KMS's.
 *
 * Templates whose source is `ours` are listed in docs/differences-from-aws-kms.md; the
 * conformance suite (test/conformance) exercises every one.
 */
import { speaker, type WordingSource } from '../errors/message-templates.js';

const quoted = (where: string): WordingSource => ({ aws: `AWS answers quoted in ${where}` });
const GUIDE_SET_OPERATORS: WordingSource = { aws: 'AWS KMS Developer Guide, "Using set operators with condition keys" (the error message AWS KMS returns)' };
const ours = (what: string): WordingSource => ({ ours: `No public recording of ${what}.` });

export const POLICY_MESSAGES = {
  // The document
  policyTooLarge: { exception: 'LimitExceededException', text: 'The policy document is {size} bytes, larger than the limit of {limit} bytes.', source: ours('a key policy over 32 KB') },
  policyCharacters: {
    exception: 'MalformedPolicyDocumentException',
    text: 'The policy document contains characters that are not permitted: only printable Basic Latin and Latin-1 characters, tab, line feed and carriage return are.',
    source: ours('a policy with characters outside the permitted range'),
  },
  policyNotJson: { exception: 'MalformedPolicyDocumentException', text: 'The policy document is not valid JSON: {problem}.', source: ours('a policy that is not JSON') },
  policyNotObject: { exception: 'MalformedPolicyDocumentException', text: 'The policy document must be a JSON object.', source: ours('a policy that is JSON but not an object') },
  policyUnknownElement: { exception: 'MalformedPolicyDocumentException', text: 'The policy document has an unknown element: {name}.', source: ours('a policy with an unknown top-level element') },
  policyVersion: {
    exception: 'MalformedPolicyDocumentException', text: 'The policy Version must be "2012-10-17" or "2008-10-17", not {version}.',
    source: ours('a policy with another Version'),
  },
  policyId: { exception: 'MalformedPolicyDocumentException', text: 'The policy Id must be a string.', source: ours('a policy whose Id is not a string') },
  policyNoStatement: { exception: 'MalformedPolicyDocumentException', text: 'The policy document must contain at least one statement.', source: ours('a policy without statements') },
  sidsNotUnique: {
    exception: 'MalformedPolicyDocumentException', text: 'Statement IDs (SID) in a single policy must be unique.',
    source: quoted('CloudFormation deployment notes (IAM policy creation fails with "Statement IDs (SID) in a single policy must be unique")'),
  },

  // Statements
  statementNotObject: { exception: 'MalformedPolicyDocumentException', text: 'Statement {index} must be a JSON object.', source: ours('a statement that is not an object') },
  statementUnknownElement: { exception: 'MalformedPolicyDocumentException', text: 'Statement {index} has an unknown element: {name}.', source: ours('a statement with an unknown element') },
  sidNotString: { exception: 'MalformedPolicyDocumentException', text: 'The Sid of statement {index} must be a string.', source: ours('a Sid that is not a string') },
  sidNotAlphanumeric: {
    exception: 'MalformedPolicyDocumentException', text: 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
    source: quoted('CloudTrail records of IAM CreatePolicy (errorMessage "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*")'),
  },
  effect: { exception: 'MalformedPolicyDocumentException', text: 'The Effect of statement {index} must be "Allow" or "Deny".', source: ours('a statement with another Effect') },
  elementAndNotElement: {
    exception: 'MalformedPolicyDocumentException', text: 'Statement {index} has both {element} and Not{element}; use one of them.',
    source: ours('a statement with both an element and its Not form'),
  },
  principalInIdentityPolicy: { exception: 'MalformedPolicyDocumentException', text: 'Policy document should not specify a principal.', source: quoted('Terraform logs of IAM CreatePolicy (MalformedPolicyDocument: Policy document should not specify a principal)') },
  actionsRequired: { exception: 'MalformedPolicyDocumentException', text: 'Policy statement must contain actions.', source: quoted('Terraform logs of IAM calls with their RequestID (MalformedPolicyDocument: Policy statement must contain actions.)') },
  resourcesRequired: { exception: 'MalformedPolicyDocumentException', text: 'Policy statement must contain resources.', source: quoted('Terraform logs of IAM PutRolePolicy (MalformedPolicyDocument: Policy statement must contain resources.)') },
  noPrincipal: { exception: 'MalformedPolicyDocumentException', text: 'Policy contains a statement with no principal.', source: quoted('Terraform logs of CreateKey (MalformedPolicyDocumentException: Policy contains a statement with no principal.)') },
  invalidPrincipals: {
    exception: 'MalformedPolicyDocumentException', text: 'Policy contains a statement with one or more invalid principals.',
    source: quoted('github.com/aws-samples/aws-blog-codepipeline-third-party-git-build-status/issues/6'),
  },
  elementStrings: { exception: 'MalformedPolicyDocumentException', text: 'The {element} element must be a string or a non-empty list of strings.', source: ours('an element of the wrong JSON type') },
  vendorPrefix: {
    exception: 'MalformedPolicyDocumentException', text: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
    source: quoted('CloudFormation logs of IAM role policies ("… (Service: AmazonIdentityManagement; Status Code: 400 …")'),
  },
  resourceNotArn: { exception: 'MalformedPolicyDocumentException', text: 'Resource {resource} must be in ARN format or "*".', source: quoted('IAM errors in CloudFormation and Terraform logs (MalformedPolicyDocument: Resource … must be in ARN format or "*".)') },

  // Conditions
  conditionNotObject: { exception: 'MalformedPolicyDocumentException', text: 'The Condition element must be a JSON object of condition operators.', source: ours('a Condition that is not an object') },
  unknownOperator: { exception: 'MalformedPolicyDocumentException', text: 'The policy uses an unknown condition operator: {operator}.', source: ours('an unknown condition operator') },
  operatorBlock: {
    exception: 'MalformedPolicyDocumentException', text: 'The condition operator {operator} must hold a JSON object of condition keys.',
    source: ours('a condition operator without condition keys'),
  },
  conditionValues: {
    exception: 'MalformedPolicyDocumentException', text: 'The values of {key} under {operator} must be strings, numbers or booleans.',
    source: ours('condition values of the wrong JSON type'),
  },
  overlyPermissiveContext: {
    exception: 'MalformedPolicyDocumentException',
    text: 'OverlyPermissiveCondition:EncryptionContext: Using the ForAllValues set operator with a single-valued condition key matches requests without the specified encryption context or with an unspecified encryption context. To fix, remove ForAllValues.',
    source: GUIDE_SET_OPERATORS,
  },
  overlyPermissiveTag: {
    exception: 'MalformedPolicyDocumentException',
    text: 'OverlyPermissiveCondition:RequestTag: Using the ForAllValues set operator with a single-valued condition key matches requests without the specified tag or with an unspecified tag. To fix, remove ForAllValues.',
    source: GUIDE_SET_OPERATORS,
  },
} as const;

export type PolicyMessageName = keyof typeof POLICY_MESSAGES;

/** The policy-grammar message `name` with its placeholders filled in. */
export const sayPolicy = speaker(POLICY_MESSAGES);
