/**
 * Compiles one condition (operator, key, values) into a closure over the request's condition keys,
 * following the IAM User Guide's evaluation logic for conditions:
 * - keys compare without regard to case; values as the operator says;
 * - several values for one key are ORed; a negated operator is true when no value matches;
 * - a key that is absent fails a positive operator and satisfies a negated one, satisfies
 *   `…IfExists`, satisfies `ForAllValues:` and fails `ForAnyValue:`;
 * - `ForAnyValue:` asks that some request value match, `ForAllValues:` that every one does (a
 *   negated operator asks the same of "matches no policy value").
 */
import { CONDITION_OPERATORS } from './condition-operators.js';
import type { ParsedCondition } from './policy-document.js';
import { parseTemplate, resolveTemplate, type KeyLookup, type Template } from './templates.js';
import type { Matcher } from './wildcard.js';

export type CompiledCondition = (lookup: KeyLookup) => boolean;

export interface ConditionOptions {
  /** Whether policy variables are resolved (Version 2012-10-17). */
  readonly variables: boolean;
  /** Keys this policy never sees (for example `aws:ResourceTag/…` in a key policy). */
  readonly unavailable?: (lowerKey: string) => boolean;
}

/** One policy value, prepared once when it is fixed text, per request when it has variables. */
function prepareValues(templates: readonly Template[], prepare: (value: string) => Matcher): (lookup: KeyLookup) => readonly Matcher[] {
  if (templates.every((t) => t.fixed !== undefined)) {
    const fixed = templates.map((t) => prepare(t.fixed ?? ''));
    return () => fixed;
  }
  return (lookup) => {
    const matchers: Matcher[] = [];
    for (const template of templates) {
      const value = resolveTemplate(template, lookup);
      if (value !== undefined) matchers.push(prepare(value));
    }
    return matchers;
  };
}

function compileNull(condition: ParsedCondition, key: string): CompiledCondition {
  const expectations = condition.values.map((v) => v.toLowerCase());
  return (lookup) => {
    const values = lookup(key);
    const absent = values === undefined || values.length === 0;
    return expectations.some((e) => (e === 'true' ? absent : e === 'false' ? !absent : false));
  };
}

export function compileCondition(condition: ParsedCondition, options: ConditionOptions): CompiledCondition {
  const key = condition.key.toLowerCase();
  const spec = CONDITION_OPERATORS[condition.base];
  if (spec === undefined) throw new Error(`No operator ${condition.base}`);
  const lookupKey: (lookup: KeyLookup) => readonly string[] | undefined = options.unavailable?.(key) === true ? () => undefined : (lookup) => lookup(key);
  if (spec.family === 'Null') {
    const test = compileNull(condition, key);
    return (lookup) => test((k) => (k === key ? lookupKey(lookup) : undefined));
  }
  const templates = condition.values.map((v) => parseTemplate(v, { variables: options.variables, wildcards: spec.wildcards }));
  const matchersFor = prepareValues(templates, spec.prepare);
  const { negated } = spec;
  const onAbsent = condition.ifExists || condition.setOperator === 'ForAllValues' || (condition.setOperator === undefined && negated);
  const setOperator = condition.setOperator;
  return (lookup) => {
    const values = lookupKey(lookup);
    if (values === undefined || values.length === 0) return onAbsent;
    const matchers = matchersFor(lookup);
    const matches = (value: string): boolean => {
      for (const m of matchers) if (m(value)) return true;
      return false;
    };
    if (setOperator === 'ForAllValues') return values.every((v) => matches(v) !== negated);
    if (setOperator === 'ForAnyValue') return values.some((v) => matches(v) !== negated);
    return values.some(matches) !== negated;
  };
}
