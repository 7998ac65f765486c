/**
 * Compiles a parsed policy into closures, once per policy revision: actions are indexed so that a
 * request sees only the statements that can match its action, principals are token sets, patterns
 * are compiled matchers, and condition values are prepared unless they hold policy variables.
 */
import { KMS_ACTIONS } from '../../models/authz/generated/kms-actions.js';
import { compileCondition, type CompiledCondition } from './compile-conditions.js';
import type { Effect, ParsedPolicy, ParsedStatement, PolicyKind } from './policy-document.js';
import { matchNotPrincipal, matchPrincipal, type PrincipalMatch } from './principals.js';
import { parseTemplate, resolveTemplate, type KeyLookup } from './templates.js';
import { anyOf, compileGlob, encodeWildcards, type Matcher } from './wildcard.js';

/** What one request presents to a policy. */
export interface PolicyRequest {
  /** The action, e.g. `kms:Encrypt` (any case). */
  readonly action: string;
  /** The resource ARN, or `arn:…:kms:<region>:<account>:*` for an operation on no resource. */
  readonly resource: string;
  /** The caller's identity chain (see `identityChain`). */
  readonly chain: readonly string[];
  /** The request's condition keys by lower-cased name. */
  readonly lookup: KeyLookup;
}

export interface CompiledStatement {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: Effect;
  /** How the statement's principal element matches the caller (`direct` for identity policies). */
  readonly principal: (chain: readonly string[]) => PrincipalMatch;
  readonly appliesToAction: (lowerAction: string) => boolean;
  readonly appliesToResource: (resource: string, lookup: KeyLookup) => boolean;
  readonly conditions: readonly CompiledCondition[];
}

/** The statements of one policy that apply to a request, first of each kind. */
export interface PolicyOutcome {
  readonly deny: CompiledStatement | undefined;
  /** An Allow that names the caller, or everyone. */
  readonly allowDirect: CompiledStatement | undefined;
  /** An Allow that names only the caller's account (in a key policy: IAM policies may allow). */
  readonly allowAccount: CompiledStatement | undefined;
}

export const NOTHING_APPLIES: PolicyOutcome = Object.freeze({ deny: undefined, allowDirect: undefined, allowAccount: undefined });

export interface CompiledPolicy {
  readonly kind: PolicyKind;
  readonly statements: readonly CompiledStatement[];
  /** The statements that can apply to an action, in document order. */
  statementsFor(action: string): readonly CompiledStatement[];
  evaluate(request: PolicyRequest): PolicyOutcome;
}

/**
 * Condition keys that KMS supports only in IAM policies (Developer Guide, "ABAC condition keys for
 * AWS KMS" and "kms:ResourceAliases"): a key policy does not see them.
 */
const IAM_POLICY_ONLY_KEYS: readonly ((lowerKey: string) => boolean)[] = [
  (k) => k.startsWith('aws:resourcetag/'),
  (k) => k === 'kms:resourcealiases',
];

function unavailableIn(kind: PolicyKind): ((lowerKey: string) => boolean) | undefined {
  return kind === 'key' ? (k) => IAM_POLICY_ONLY_KEYS.some((test) => test(k)) : undefined;
}

const never = (): boolean => false;

function compileActions(statement: ParsedStatement): (lowerAction: string) => boolean {
  const patterns = statement.action ?? statement.notAction;
  if (patterns === undefined) return never;
  const matcher = anyOf(patterns.map((p) => compileGlob(encodeWildcards(p), { ignoreCase: true })));
  return statement.notAction === undefined ? matcher : (a) => !matcher(a);
}

function compileResources(statement: ParsedStatement, variables: boolean): (resource: string, lookup: KeyLookup) => boolean {
  const patterns = statement.resource ?? statement.notResource;
  if (patterns === undefined) return never;
  const templates = patterns.map((p) => parseTemplate(p, { variables, wildcards: true }));
  const fixed = templates.every((t) => t.fixed !== undefined);
  const matcher: (resource: string, lookup: KeyLookup) => boolean = fixed
    ? (() => {
      const m: Matcher = anyOf(templates.map((t) => compileGlob(t.fixed ?? '')));
      return (resource: string) => m(resource);
    })()
    : (resource, lookup) => templates.some((t) => {
      const value = resolveTemplate(t, lookup);
      return value !== undefined && compileGlob(value)(resource);
    });
  return statement.notResource === undefined ? matcher : (r, l) => !matcher(r, l);
}

function compilePrincipal(statement: ParsedStatement): (chain: readonly string[]) => PrincipalMatch {
  const { principal, notPrincipal } = statement;
  if (principal !== undefined) return (chain) => matchPrincipal(principal, chain);
  if (notPrincipal !== undefined) return (chain) => matchNotPrincipal(notPrincipal, chain);
  return () => 'direct';
}

function compileStatement(statement: ParsedStatement, policy: ParsedPolicy): CompiledStatement {
  const variables = policy.version === '2012-10-17';
  const unavailable = unavailableIn(policy.kind);
  return {
    index: statement.index,
    sid: statement.sid,
    effect: statement.effect,
    principal: compilePrincipal(statement),
    appliesToAction: compileActions(statement),
    appliesToResource: compileResources(statement, variables),
    conditions: statement.conditions.map((c) => compileCondition(c, unavailable === undefined ? { variables } : { variables, unavailable })),
  };
}

/** Whether a statement applies to the request, and through which kind of principal match. */
function statementMatch(statement: CompiledStatement, request: PolicyRequest): PrincipalMatch {
  const principal = statement.principal(request.chain);
  if (principal === 'none' || !statement.appliesToResource(request.resource, request.lookup)) return 'none';
  for (const condition of statement.conditions) if (!condition(request.lookup)) return 'none';
  return principal;
}

export function compilePolicy(policy: ParsedPolicy): CompiledPolicy {
  const statements = policy.statements.map((s) => compileStatement(s, policy));
  const byAction = new Map<string, readonly CompiledStatement[]>();
  const statementsFor = (action: string): readonly CompiledStatement[] => {
    const lower = action.toLowerCase();
    let found = byAction.get(lower);
    if (found === undefined) {
      found = statements.filter((s) => s.appliesToAction(lower));
      // Actions come from the service's own table, so the index stays small; unknown ones are not kept.
      if (byAction.size < 256) byAction.set(lower, found);
    }
    return found;
  };
  for (const action of KMS_ACTIONS) statementsFor(`kms:${action.name}`);
  return {
    kind: policy.kind,
    statements,
    statementsFor,
    evaluate(request) {
      let allowDirect: CompiledStatement | undefined;
      let allowAccount: CompiledStatement | undefined;
      for (const statement of statementsFor(request.action)) {
        if (statement.effect === 'Allow' && allowDirect !== undefined) continue;
        const match = statementMatch(statement, request);
        if (match === 'none') continue;
        if (statement.effect === 'Deny') return { deny: statement, allowDirect, allowAccount };
        if (match === 'direct') allowDirect = statement;
        else allowAccount ??= statement;
      }
      return allowDirect === undefined && allowAccount === undefined ? NOTHING_APPLIES : { deny: undefined, allowDirect, allowAccount };
    },
  };
}
