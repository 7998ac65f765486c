/**
 * Parses and validates a policy document once, as AWS does when the policy is stored: the grammar
 * of the IAM policy language plus the rules of the policy's kind (Developer Guide, "Key policy
 * format" and "Elements in a key policy"). Every problem is a MalformedPolicyDocumentException (or
 * the caller's error class) whose message names it.
 */
import { LimitExceededException, MalformedPolicyDocumentException } from '../../models/kms/generated/errors.js';
import { needs, type ServiceErrorClass } from '../errors/service-error.js';
import { parseOperatorName } from './condition-operators.js';
import type { ParsedCondition, ParsedPolicy, ParsedStatement, PolicyKind, PrincipalSet } from './policy-document.js';
import { awsPrincipalArn, awsPrincipalToken } from './principals.js';
import { describeJsonError } from './json-errors.js';
import { sayPolicy } from './messages.js';

export interface ParseOptions {
  readonly kind: PolicyKind;
  /** The error class for a malformed document; KMS's MalformedPolicyDocumentException by default. */
  readonly errorClass?: ServiceErrorClass;
  /** Largest document in UTF-8 bytes; 32,768 for key policies (Developer Guide, "Key policy format"). */
  readonly maxBytes?: number;
  /** The error class for a document over `maxBytes`; LimitExceededException, as the KMS API model says. */
  readonly sizeErrorClass?: ServiceErrorClass;
}

export const KEY_POLICY_MAX_BYTES = 32_768;

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const PRINCIPAL_TYPES: Readonly<Record<string, string>> = { AWS: '', Service: 'service:', Federated: 'federated:', CanonicalUser: 'canonical:' };
const ACTION = /^(?:\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;
const IAM_SID = /^[A-Za-z0-9]*$/;
/** Tab, line feed, carriage return and the printable characters of Basic Latin and Latin-1. */
const PERMITTED_CHARACTERS = /^[\t\n\r\u0020-\u007e\u00a0-\u00ff]*$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

class Checker {
  constructor(private readonly errorClass: ServiceErrorClass) {}

  needs(condition: unknown, message: string): asserts condition {
    needs(condition, message, this.errorClass);
  }

  /** A string or a non-empty list of strings. */
  strings(value: Json | undefined, element: string): string[] {
    const list = Array.isArray(value) ? value : [value];
    /* Precondition: an element that takes strings holds a string or a non-empty list of strings. */
    this.needs(list.length > 0 && list.every((v) => typeof v === 'string'), sayPolicy('elementStrings', { element }));
    return list;
  }
}

export function parsePolicy(text: string, options: ParseOptions): ParsedPolicy {
  const check: Checker = new Checker(options.errorClass ?? MalformedPolicyDocumentException);
  const maxBytes = options.maxBytes ?? (options.kind === 'key' ? KEY_POLICY_MAX_BYTES : Number.POSITIVE_INFINITY);
  /* Precondition: a key policy is at most 32,768 bytes. */
  needs(utf8Length(text) <= maxBytes, () => sayPolicy('policyTooLarge', { size: utf8Length(text), limit: maxBytes }), options.sizeErrorClass ?? LimitExceededException);
  /* Precondition: policies contain only printable Basic Latin and Latin-1 characters, tab, line feed and carriage return. */
  check.needs(PERMITTED_CHARACTERS.test(text), sayPolicy('policyCharacters'));
  let document: Json;
  try {
    document = JSON.parse(text) as Json;
  } catch {
    /* Precondition: the document is JSON (no trailing commas, no comments). */
    throw new (options.errorClass ?? MalformedPolicyDocumentException)(sayPolicy('policyNotJson', { problem: describeJsonError(text) }));
  }
  /* Precondition: the document is a JSON object. */
  check.needs(isObject(document), sayPolicy('policyNotObject'));
  for (const name of Object.keys(document)) {
    /* Precondition: a policy has only the elements Version, Id and Statement. */
    check.needs(TOP_LEVEL.has(name), sayPolicy('policyUnknownElement', { name }));
  }
  const version = document['Version'];
  /* Precondition: the Version is 2012-10-17 or 2008-10-17. */
  check.needs(version === undefined || version === '2012-10-17' || version === '2008-10-17', sayPolicy('policyVersion', { version: JSON.stringify(version) }));
  const id = document['Id'];
  /* Precondition: the Id is a string. */
  check.needs(id === undefined || typeof id === 'string', sayPolicy('policyId'));
  const raw = document['Statement'];
  /* Precondition: a policy has a Statement element with at least one statement. */
  check.needs(raw !== undefined && !(Array.isArray(raw) && raw.length === 0), sayPolicy('policyNoStatement'));
  const list = Array.isArray(raw) ? raw : [raw];
  const statements = list.map((statement, index) => parseStatement(statement, index, options.kind, check));
  if (options.kind === 'identity') {
    const sids = statements.map((s) => s.sid).filter((s) => s !== undefined && s !== '');
    /* Precondition: Sids in an IAM policy are unique. */
    check.needs(new Set(sids).size === sids.length, sayPolicy('sidsNotUnique'));
  }
  return { kind: options.kind, version: version === '2012-10-17' ? '2012-10-17' : '2008-10-17', id, statements };
}

function parseStatement(raw: Json, index: number, kind: PolicyKind, check: Checker): ParsedStatement {
  /* Precondition: each statement is a JSON object. */
  check.needs(isObject(raw), sayPolicy('statementNotObject', { index }));
  for (const name of Object.keys(raw)) {
    /* Precondition: a statement has only the elements Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource and Condition. */
    check.needs(STATEMENT_ELEMENTS.has(name), sayPolicy('statementUnknownElement', { index, name }));
  }
  const sid = raw['Sid'];
  /* Precondition: the Sid is a string. */
  check.needs(sid === undefined || typeof sid === 'string', sayPolicy('sidNotString', { index }));
  /* Precondition: the Sid of an IAM policy statement has only letters and digits (a key policy Sid may have spaces). */
  check.needs(kind !== 'identity' || sid === undefined || IAM_SID.test(sid), sayPolicy('sidNotAlphanumeric'));
  const effect = raw['Effect'];
  /* Precondition: the Effect is Allow or Deny. */
  check.needs(effect === 'Allow' || effect === 'Deny', sayPolicy('effect', { index }));
  /* Precondition: a statement has Action or NotAction, not both. */
  check.needs(raw['Action'] === undefined || raw['NotAction'] === undefined, sayPolicy('elementAndNotElement', { index, element: 'Action' }));
  /* Precondition: a statement has Resource or NotResource, not both. */
  check.needs(raw['Resource'] === undefined || raw['NotResource'] === undefined, sayPolicy('elementAndNotElement', { index, element: 'Resource' }));
  /* Precondition: a statement has Principal or NotPrincipal, not both. */
  check.needs(raw['Principal'] === undefined || raw['NotPrincipal'] === undefined, sayPolicy('elementAndNotElement', { index, element: 'Principal' }));
  const namesPrincipal = raw['Principal'] !== undefined || raw['NotPrincipal'] !== undefined;
  if (kind === 'identity') {
    /* Precondition: an IAM policy names no principal. */
    check.needs(!namesPrincipal, sayPolicy('principalInIdentityPolicy'));
    /* Precondition: an IAM policy statement has actions. */
    check.needs(raw['Action'] !== undefined || raw['NotAction'] !== undefined, sayPolicy('actionsRequired'));
    /* Precondition: an IAM policy statement has resources. */
    check.needs(raw['Resource'] !== undefined || raw['NotResource'] !== undefined, sayPolicy('resourcesRequired'));
  } else {
    /* Precondition: every statement of a resource policy names its principals. */
    check.needs(namesPrincipal, sayPolicy('noPrincipal'));
  }
  return {
    index,
    sid,
    effect,
    principal: raw['Principal'] === undefined ? undefined : parsePrincipal(raw['Principal'], check),
    notPrincipal: raw['NotPrincipal'] === undefined ? undefined : parsePrincipal(raw['NotPrincipal'], check),
    action: raw['Action'] === undefined ? undefined : parseActions(raw['Action'], 'Action', check),
    notAction: raw['NotAction'] === undefined ? undefined : parseActions(raw['NotAction'], 'NotAction', check),
    resource: raw['Resource'] === undefined ? undefined : parseResources(raw['Resource'], 'Resource', check),
    notResource: raw['NotResource'] === undefined ? undefined : parseResources(raw['NotResource'], 'NotResource', check),
    conditions: raw['Condition'] === undefined ? [] : parseConditions(raw['Condition'], kind, check),
  };
}

function parsePrincipal(raw: Json, check: Checker): PrincipalSet {
  if (raw === '*') return { any: true, tokens: new Set(), awsArns: [] };
  /* Precondition: a Principal is "*" or an object of principal types. */
  check.needs(isObject(raw) && Object.keys(raw).length > 0, sayPolicy('invalidPrincipals'));
  const tokens = new Set<string>();
  const awsArns: string[] = [];
  let any = false;
  for (const [type, values] of Object.entries(raw)) {
    const prefix = PRINCIPAL_TYPES[type];
    /* Precondition: principal types are AWS, Service, Federated and CanonicalUser. */
    check.needs(prefix !== undefined, sayPolicy('invalidPrincipals'));
    const list = Array.isArray(values) ? values : [values];
    /* Precondition: each principal type holds a string or a non-empty list of strings. */
    check.needs(list.length > 0 && list.every((v) => typeof v === 'string' && v.trim() !== ''), sayPolicy('invalidPrincipals'));
    for (const value of list as string[]) {
      if (type === 'AWS') {
        if (value === '*') {
          any = true;
          continue;
        }
        const token = awsPrincipalToken(value);
        /* Precondition: AWS principals are account IDs or ARNs of accounts, users, roles and sessions. */
        check.needs(token !== undefined, sayPolicy('invalidPrincipals'));
        tokens.add(token);
        awsArns.push(awsPrincipalArn(value));
      } else {
        /* Precondition: only AWS principals may be the wildcard. */
        check.needs(!value.includes('*'), sayPolicy('invalidPrincipals'));
        tokens.add(`${prefix}${value}`);
      }
    }
  }
  return { any, tokens, awsArns };
}

function parseActions(raw: Json, element: string, check: Checker): string[] {
  const actions = check.strings(raw, element);
  for (const action of actions) {
    /* Precondition: actions are "*" or a service prefix and an action name, such as kms:Encrypt. */
    check.needs(ACTION.test(action), sayPolicy('vendorPrefix'));
  }
  return actions;
}

function parseResources(raw: Json, element: string, check: Checker): string[] {
  const resources = check.strings(raw, element);
  for (const resource of resources) {
    /* Precondition: resources are "*" or ARNs. */
    check.needs(resource === '*' || resource.startsWith('arn:'), sayPolicy('resourceNotArn', { resource }));
  }
  return resources;
}

function conditionValues(raw: Json, operator: string, key: string, check: Checker): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  const scalars = list.filter((v): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
  /* Precondition: condition values are strings, numbers or booleans, or a non-empty list of them. */
  check.needs(list.length > 0 && scalars.length === list.length, sayPolicy('conditionValues', { key, operator }));
  return scalars.map((v) => String(v));
}

function parseConditions(raw: Json, kind: PolicyKind, check: Checker): ParsedCondition[] {
  /* Precondition: a Condition element is an object of condition operators. */
  check.needs(isObject(raw), sayPolicy('conditionNotObject'));
  const conditions: ParsedCondition[] = [];
  for (const [operator, block] of Object.entries(raw)) {
    const name = parseOperatorName(operator);
    /* Precondition: condition operators are those of the IAM policy language. */
    check.needs(name !== undefined, sayPolicy('unknownOperator', { operator }));
    /* Precondition: each condition operator holds an object of condition keys. */
    check.needs(isObject(block) && Object.keys(block).length > 0, sayPolicy('operatorBlock', { operator }));
    for (const [key, values] of Object.entries(block)) {
      /* Precondition: condition keys have a prefix, such as aws: or kms:. */
      check.needs(/^[a-zA-Z0-9-]+:.+$/.test(key), sayPolicy('vendorPrefix'));
      if (kind === 'key' && name.setOperator === 'ForAllValues') rejectOverlyPermissive(key, check);
      conditions.push({ operator, ...name, key, values: conditionValues(values, operator, key, check) });
    }
  }
  return conditions;
}

/** Developer Guide, "Using set operators with condition keys": KMS refuses these conditions. */
function rejectOverlyPermissive(key: string, check: Checker): void {
  const lower = key.toLowerCase();
  /* Precondition: ForAllValues is not used with kms:EncryptionContext:context-key. */
  check.needs(!lower.startsWith('kms:encryptioncontext:'), sayPolicy('overlyPermissiveContext'));
  /* Precondition: ForAllValues is not used with aws:RequestTag/tag-key. */
  check.needs(!lower.startsWith('aws:requesttag/'), sayPolicy('overlyPermissiveTag'));
}

/**
 * Checks that every AWS principal a policy names exists, through a lookup the caller supplies
 * (the core cannot see identities). Account roots are looked up too; a resolver that knows only
 * its own accounts may answer true for the rest.
 */
export async function checkPrincipalsExist(
  policy: ParsedPolicy,
  principalExists: (arn: string) => boolean | Promise<boolean>,
  errorClass: ServiceErrorClass = MalformedPolicyDocumentException,
): Promise<void> {
  const arns = new Set(policy.statements.flatMap((s) => [...(s.principal?.awsArns ?? []), ...(s.notPrincipal?.awsArns ?? [])]));
  for (const arn of arns) {
    /* Precondition: the principals a key policy names exist. */
    needs(await principalExists(arn), sayPolicy('invalidPrincipals'), errorClass);
  }
}
