/**
 * The condition operators of the IAM policy language as data: each base operator names its family,
 * whether it is the negation of another, and how it compares one request value with one policy
 * value. `…IfExists` and the `ForAnyValue:` / `ForAllValues:` set operators wrap any of them
 * (IAM User Guide, "IAM JSON policy elements: Condition operators").
 */
import { compileCidr } from './ip-address.js';
import { compileGlob, type Matcher } from './wildcard.js';

export type OperatorFamily = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'IpAddress' | 'Arn' | 'Null';

export interface OperatorSpec {
  readonly family: OperatorFamily;
  /**
   * A negated operator is true exactly when its positive twin is false, also for an absent key
   * (`StringNotEquals` on a missing key is true).
   */
  readonly negated: boolean;
  /** Whether `*` and `?` in policy values are wildcards. */
  readonly wildcards: boolean;
  /** Prepares one (resolved) policy value: a test of one request value against it. */
  readonly prepare: (policyValue: string) => Matcher;
}

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

function parseNumber(text: string): number | undefined {
  return NUMBER.test(text.trim()) ? Number(text) : undefined;
}

/** Dates are ISO 8601 text or epoch seconds (IAM accepts both in Date operators). */
export function parseDate(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^-?\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return undefined;
  const time = Date.parse(trimmed);
  return Number.isNaN(time) ? undefined : time;
}

const never: Matcher = () => false;

/** Numbers and dates both compare as numbers once parsed; a value that does not parse matches nothing. */
function ordered(parse: (text: string) => number | undefined) {
  return (compare: (request: number, policy: number) => boolean) => (policyValue: string): Matcher => {
    const policy = parse(policyValue);
    if (policy === undefined) return never;
    return (value) => {
      const request = parse(value);
      return request !== undefined && compare(request, policy);
    };
  };
}

const numeric = ordered(parseNumber);
const date = ordered(parseDate);

/** ARN comparison: the five colon-separated fields and the resource are matched one by one. */
function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function arnMatcher(policyValue: string): Matcher {
  const policyParts = splitArn(policyValue);
  if (policyParts === undefined) return compileGlob(policyValue);
  const matchers = policyParts.map((part) => compileGlob(part));
  return (value) => {
    const parts = splitArn(value);
    return parts !== undefined && matchers.every((m, i) => m(parts[i] ?? ''));
  };
}

const stringEquals = (p: string): Matcher => (v) => v === p;
const stringEqualsIgnoreCase = (p: string): Matcher => {
  const lower = p.toLowerCase();
  return (v) => v.toLowerCase() === lower;
};
const stringLike = (p: string): Matcher => compileGlob(p);
const bool = (p: string): Matcher => {
  const lower = p.toLowerCase();
  return (v) => v.toLowerCase() === lower;
};
const ipAddress = (p: string): Matcher => compileCidr(p) ?? never;

function spec(family: OperatorFamily, prepare: (p: string) => Matcher, options: { negated?: boolean; wildcards?: boolean } = {}): OperatorSpec {
  return { family, prepare, negated: options.negated ?? false, wildcards: options.wildcards ?? false };
}

/** Every base operator, by its exact name. */
export const CONDITION_OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  StringEquals: spec('String', stringEquals),
  StringNotEquals: spec('String', stringEquals, { negated: true }),
  StringEqualsIgnoreCase: spec('String', stringEqualsIgnoreCase),
  StringNotEqualsIgnoreCase: spec('String', stringEqualsIgnoreCase, { negated: true }),
  StringLike: spec('String', stringLike, { wildcards: true }),
  StringNotLike: spec('String', stringLike, { negated: true, wildcards: true }),
  NumericEquals: spec('Numeric', numeric((r, p) => r === p)),
  NumericNotEquals: spec('Numeric', numeric((r, p) => r === p), { negated: true }),
  NumericLessThan: spec('Numeric', numeric((r, p) => r < p)),
  NumericLessThanEquals: spec('Numeric', numeric((r, p) => r <= p)),
  NumericGreaterThan: spec('Numeric', numeric((r, p) => r > p)),
  NumericGreaterThanEquals: spec('Numeric', numeric((r, p) => r >= p)),
  DateEquals: spec('Date', date((r, p) => r === p)),
  DateNotEquals: spec('Date', date((r, p) => r === p), { negated: true }),
  DateLessThan: spec('Date', date((r, p) => r < p)),
  DateLessThanEquals: spec('Date', date((r, p) => r <= p)),
  DateGreaterThan: spec('Date', date((r, p) => r > p)),
  DateGreaterThanEquals: spec('Date', date((r, p) => r >= p)),
  Bool: spec('Bool', bool),
  BinaryEquals: spec('Binary', stringEquals),
  IpAddress: spec('IpAddress', ipAddress),
  NotIpAddress: spec('IpAddress', ipAddress, { negated: true }),
  ArnEquals: spec('Arn', arnMatcher, { wildcards: true }),
  ArnLike: spec('Arn', arnMatcher, { wildcards: true }),
  ArnNotEquals: spec('Arn', arnMatcher, { negated: true, wildcards: true }),
  ArnNotLike: spec('Arn', arnMatcher, { negated: true, wildcards: true }),
  Null: spec('Null', bool),
};

const BY_LOWER_NAME = new Map(Object.keys(CONDITION_OPERATORS).map((name) => [name.toLowerCase(), name]));

export interface OperatorName {
  readonly base: string;
  readonly setOperator: 'ForAnyValue' | 'ForAllValues' | undefined;
  readonly ifExists: boolean;
}

/**
 * Splits an operator as written (`ForAllValues:StringLikeIfExists`) into its parts, or undefined
 * when it names no operator. Names compare without regard to case; `NullIfExists` does not exist.
 */
export function parseOperatorName(written: string): OperatorName | undefined {
  let rest = written;
  let setOperator: OperatorName['setOperator'];
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const prefix = rest.slice(0, colon).toLowerCase();
    if (prefix === 'foranyvalue') setOperator = 'ForAnyValue';
    else if (prefix === 'forallvalues') setOperator = 'ForAllValues';
    else return undefined;
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (rest.toLowerCase().endsWith('ifexists')) {
    ifExists = true;
    rest = rest.slice(0, -'ifexists'.length);
  }
  const base = BY_LOWER_NAME.get(rest.toLowerCase());
  if (base === undefined || (base === 'Null' && ifExists)) return undefined;
  return { base, setOperator, ifExists };
}
