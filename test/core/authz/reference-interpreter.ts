/**
 * A slow, direct interpreter of policy documents, written from the IAM User Guide ("Policy
 * evaluation logic", "Condition operators", "Policy variables", "NotPrincipal") and the KMS
 * Developer Guide ("Key policies", "Troubleshooting key access"), independently of the engine: it
 * walks the raw JSON on every request, matches with regular expressions and compares principals as
 * strings. The property test holds the compiled engine to it.
 */
import { parseIpAddress } from '../../../src/core/authz/ip-address.js';
import type { AuthzPrincipal } from '../../../src/core/authz/principals.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };
export type Context = Readonly<Record<string, readonly string[]>>;

export interface ReferenceRequest {
  readonly principal: AuthzPrincipal;
  readonly action: string;
  readonly resource: string;
  /** Keys in any case. */
  readonly context: Context;
  readonly kind: 'key' | 'identity' | 'vpc-endpoint';
}

export interface ReferenceOutcome {
  readonly deny: boolean;
  readonly allowDirect: boolean;
  readonly allowAccount: boolean;
}

const list = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function lookup(context: Context, key: string, kind: ReferenceRequest['kind']): readonly string[] | undefined {
  const lower = key.toLowerCase();
  if (kind === 'key' && (lower.startsWith('aws:resourcetag/') || lower === 'kms:resourcealiases')) return undefined;
  for (const [k, v] of Object.entries(context)) if (k.toLowerCase() === lower) return v.length === 0 ? undefined : v;
  return undefined;
}

/** Resolves `${…}` variables; undefined when one has no single value and no default. */
function substitute(text: string, context: Context, variables: boolean, wildcard: boolean): string | undefined {
  const esc = (s: string): string => (wildcard ? s.replace(/[.+^$()|[\]\\{}]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') : s);
  const literal = (s: string): string => (wildcard ? s.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&') : s);
  if (!variables) return esc(text);
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    const end = start < 0 ? -1 : text.indexOf('}', start);
    if (start < 0 || end < 0) {
      out += esc(text.slice(i));
      break;
    }
    out += esc(text.slice(i, start));
    const inner = text.slice(start + 2, end);
    i = end + 1;
    if (inner === '*' || inner === '?' || inner === '$') {
      out += literal(inner);
      continue;
    }
    const comma = inner.indexOf(',');
    const name = (comma < 0 ? inner : inner.slice(0, comma)).trim();
    const rest = comma < 0 ? undefined : inner.slice(comma + 1).trim();
    if (name === '' || /\s/.test(name) || (rest !== undefined && !/^'(?:[^']|'')*'$/.test(rest))) {
      out += esc(text.slice(start, end + 1));
      continue;
    }
    const values = lookup(context, name, 'identity');
    const value = values?.length === 1 ? values[0] : rest?.slice(1, -1).replace(/''/g, "'");
    if (value === undefined) return undefined;
    out += literal(value);
  }
  return out;
}

function glob(pattern: string, subject: string, flags = ''): boolean {
  return new RegExp(`^${pattern}$`, `s${flags}`).test(subject);
}

function num(s: string): number | undefined {
  return /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(s) ? parseFloat(s) : undefined;
}

function date(s: string): number | undefined {
  if (/^\s*-?\d+(\.\d+)?\s*$/.test(s)) return parseFloat(s) * 1000;
  if (!/^\s*\d{4}-\d{2}-\d{2}/.test(s)) return undefined;
  const t = new Date(s.trim()).getTime();
  return Number.isNaN(t) ? undefined : t;
}

function inCidr(cidr: string, address: string): boolean {
  const [net, bits] = cidr.split('/');
  const a = parseIpAddress(net ?? '');
  const b = parseIpAddress(address);
  if (a === undefined || b?.length !== a.length) return false;
  const prefix = bits === undefined ? a.length * 8 : /^\d+$/.test(bits) ? Number(bits) : -1;
  if (prefix < 0 || prefix > a.length * 8) return false;
  const bitsOf = (bytes: number[]): string => bytes.map((x) => x.toString(2).padStart(8, '0')).join('').slice(0, prefix);
  return bitsOf(a) === bitsOf(b);
}

function arnMatch(pattern: string, value: string): boolean {
  const p = pattern.split(':');
  const v = value.split(':');
  if (p.length < 6) return glob(pattern, value);
  if (v.length < 6) return false;
  const pp = [...p.slice(0, 5), p.slice(5).join(':')];
  const vv = [...v.slice(0, 5), v.slice(5).join(':')];
  return pp.every((part, i) => glob(part, vv[i] ?? ''));
}

/** One request value against one raw policy value, for a positive base operator. */
function positive(base: string, policyValue: string, value: string, context: Context, variables: boolean): boolean {
  const like = ['StringLike', 'StringNotLike', 'ArnLike', 'ArnNotLike', 'ArnEquals', 'ArnNotEquals'].includes(base);
  const resolved = substitute(policyValue, context, variables, like);
  if (resolved === undefined) return false;
  switch (base) {
    case 'StringEquals': case 'StringNotEquals': case 'BinaryEquals': return value === resolved;
    case 'StringEqualsIgnoreCase': case 'StringNotEqualsIgnoreCase': return value.toLowerCase() === resolved.toLowerCase();
    case 'StringLike': case 'StringNotLike': return glob(resolved, value);
    case 'Bool': return value.toLowerCase() === resolved.toLowerCase();
    case 'IpAddress': case 'NotIpAddress': return inCidr(resolved, value);
    case 'ArnEquals': case 'ArnNotEquals': case 'ArnLike': case 'ArnNotLike': return arnMatch(resolved, value);
    default: break;
  }
  const [a, b] = base.startsWith('Numeric') ? [num(value), num(resolved)] : [date(value), date(resolved)];
  if (a === undefined || b === undefined) return false;
  const op = base.replace(/^(Numeric|Date)/, '');
  return { Equals: a === b, NotEquals: a === b, LessThan: a < b, LessThanEquals: a <= b, GreaterThan: a > b, GreaterThanEquals: a >= b }[op] ?? false;
}

const NEGATED = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'NumericNotEquals', 'DateNotEquals', 'NotIpAddress', 'ArnNotEquals', 'ArnNotLike']);

function condition(operator: string, key: string, raw: Json, request: ReferenceRequest, variables: boolean): boolean {
  let op = operator;
  let set = '';
  const m = /^(ForAnyValue|ForAllValues):(.*)$/i.exec(op);
  if (m) {
    set = (m[1] ?? '').toLowerCase();
    op = m[2] ?? '';
  }
  const ifExists = /IfExists$/i.test(op);
  if (ifExists) op = op.slice(0, -8);
  const names = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike', 'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals', 'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals', 'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null'];
  const base = names.find((n) => n.toLowerCase() === op.toLowerCase()) ?? op;
  const policyValues = list(raw).map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)));
  const values = lookup(request.context, key, request.kind);
  if (base === 'Null') return policyValues.some((p) => (p.toLowerCase() === 'true' ? values === undefined : p.toLowerCase() === 'false' && values !== undefined));
  const negated = NEGATED.has(base);
  if (values === undefined) {
    if (ifExists) return true;
    if (set === 'forallvalues') return true;
    if (set === 'foranyvalue') return false;
    return negated;
  }
  const matchesAny = (v: string): boolean => policyValues.some((p) => positive(base, p, v, request.context, variables));
  if (set === 'forallvalues') return values.every((v) => (negated ? !matchesAny(v) : matchesAny(v)));
  if (set === 'foranyvalue') return values.some((v) => (negated ? !matchesAny(v) : matchesAny(v)));
  const any = values.some(matchesAny);
  return negated ? !any : any;
}

/** The caller as strings: its account, and the user, or the role and the session. */
function chain(p: AuthzPrincipal): { account: string; others: string[] } {
  if (p.type === 'Root') return { account: p.accountId, others: [] };
  if (p.type === 'AssumedRole') return { account: p.accountId, others: [p.roleArn ?? '', p.arn].filter((s) => s !== '') };
  return { account: p.accountId, others: [p.arn] };
}

function namesAccount(value: string, account: string): boolean {
  return value === account || new RegExp(`^arn:aws[a-z-]*:iam::${account}:root$`).test(value);
}

function principalMatch(element: Json, p: AuthzPrincipal): 'direct' | 'account' | 'none' {
  if (element === '*') return 'direct';
  const aws = list((element as Obj)['AWS']).map(String);
  if (aws.includes('*')) return 'direct';
  const c = chain(p);
  if (c.others.some((o) => aws.includes(o))) return 'direct';
  return aws.some((v) => namesAccount(v, c.account)) ? 'account' : 'none';
}

function notPrincipalApplies(element: Json, p: AuthzPrincipal): boolean {
  if (element === '*') return false;
  const aws = list((element as Obj)['AWS']).map(String);
  if (aws.includes('*')) return false;
  const c = chain(p);
  const everyLinkListed = aws.some((v) => namesAccount(v, c.account)) && c.others.every((o) => aws.includes(o));
  return !everyLinkListed;
}

export function referenceEvaluate(document: Json, request: ReferenceRequest): ReferenceOutcome {
  const doc = document as Obj;
  const variables = doc['Version'] === '2012-10-17';
  let deny = false;
  let allowDirect = false;
  let allowAccount = false;
  for (const s of list(doc['Statement']) as Obj[]) {
    let who: 'direct' | 'account' | 'none' = 'direct';
    if (s['Principal'] !== undefined) who = principalMatch(s['Principal'], request.principal);
    if (s['NotPrincipal'] !== undefined) who = notPrincipalApplies(s['NotPrincipal'], request.principal) ? 'direct' : 'none';
    if (who === 'none') continue;
    const actionGlob = (a: string): boolean => glob(a.replace(/[.+^$()|[\]\\{}]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.'), request.action, 'i');
    if (s['Action'] !== undefined && !list(s['Action']).map(String).some(actionGlob)) continue;
    if (s['NotAction'] !== undefined && list(s['NotAction']).map(String).some(actionGlob)) continue;
    if (s['Action'] === undefined && s['NotAction'] === undefined) continue;
    const resourceGlob = (r: string): boolean => {
      const pattern = substitute(r, request.context, variables, true);
      return pattern !== undefined && glob(pattern, request.resource);
    };
    if (s['Resource'] !== undefined && !list(s['Resource']).map(String).some(resourceGlob)) continue;
    if (s['NotResource'] !== undefined && list(s['NotResource']).map(String).some(resourceGlob)) continue;
    if (s['Resource'] === undefined && s['NotResource'] === undefined) continue;
    const conditions = (s['Condition'] ?? {}) as Obj;
    const holds = Object.entries(conditions).every(([op, block]) => Object.entries(block as Obj).every(([key, raw]) => condition(op, key, raw, request, variables)));
    if (!holds) continue;
    if (s['Effect'] === 'Deny') deny = true;
    else if (who === 'direct') allowDirect = true;
    else allowAccount = true;
  }
  return { deny, allowDirect, allowAccount };
}

/**
 * The KMS decision on a key, straight from the guide's rules: any Deny wins; the key's own account
 * is allowed by a key policy statement naming the caller, or by one naming its account together
 * with an IAM allow; another account needs both the key policy and its own IAM policy; the root
 * user needs no IAM policy.
 */
export function referenceDecision(keyPolicy: Json, identity: readonly Json[], request: Omit<ReferenceRequest, 'kind'> & { readonly keyAccount: string }): 'allow' | 'explicit' | 'implicit' {
  const kp = referenceEvaluate(keyPolicy, { ...request, kind: 'key' });
  const iam = request.principal.type === 'Root' ? [] : identity.map((d) => referenceEvaluate(d, { ...request, kind: 'identity' }));
  if (kp.deny || iam.some((o) => o.deny)) return 'explicit';
  const iamAllows = request.principal.type === 'Root' || iam.some((o) => o.allowDirect || o.allowAccount);
  const same = request.keyAccount === request.principal.accountId;
  if (same && kp.allowDirect) return 'allow';
  return (kp.allowDirect || kp.allowAccount) && iamAllows ? 'allow' : 'implicit';
}
