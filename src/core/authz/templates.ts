/**
 * Policy values with policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, the escapes
 * `${*}`, `${?}` and `${$}`, and defaults (`${aws:username, 'nobody'}`, a quote doubled inside the
 * default). Variables exist only in documents of Version 2012-10-17; elsewhere `${` is plain text.
 * Values are parsed once, when a policy is compiled, and resolved per request.
 */
import { WILD_MANY, WILD_ONE, encodeWildcards } from './wildcard.js';

/** A lookup of a condition key (lower-cased name) in the request: its values, or undefined when absent. */
export type KeyLookup = (lowerName: string) => readonly string[] | undefined;

type Part = { readonly literal: string } | { readonly variable: string; readonly fallback: string | undefined };

/** A value parsed for resolution: fixed text, or parts to join per request. */
export interface Template {
  /** The whole value when it has no variables. */
  readonly fixed: string | undefined;
  readonly parts: readonly Part[];
}

const ESCAPES: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };

/** Matches one `${…}`: a key, optionally `, 'default'` with `''` for a quote. */
const VARIABLE = /\$\{\s*([^,}\s]+)\s*(?:,\s*'((?:[^']|'')*)'\s*)?\}/g;

/**
 * Parses a policy value. With `wildcards`, bare `*` and `?` become wildcards and escapes stay
 * literal; without, every character is literal.
 */
export function parseTemplate(raw: string, options: { readonly variables: boolean; readonly wildcards: boolean }): Template {
  const text = (s: string): string => (options.wildcards ? encodeWildcards(s) : s);
  if (!options.variables || !raw.includes('${')) return { fixed: text(raw), parts: [] };
  const parts: Part[] = [];
  let last = 0;
  let literal = '';
  for (const match of raw.matchAll(VARIABLE)) {
    literal += text(raw.slice(last, match.index));
    last = match.index + match[0].length;
    const name = match[1] ?? '';
    const escape = ESCAPES[name];
    if (escape !== undefined && match[2] === undefined) {
      literal += escape;
      continue;
    }
    if (literal !== '') parts.push({ literal });
    literal = '';
    parts.push({ variable: name.toLowerCase(), fallback: match[2]?.replaceAll("''", "'") });
  }
  literal += text(raw.slice(last));
  if (parts.length === 0) return { fixed: literal, parts: [] };
  if (literal !== '') parts.push({ literal });
  return { fixed: undefined, parts };
}

/**
 * The value for this request, or undefined when a variable has no single value and no default (IAM
 * then treats the value as matching nothing). Resolved values are literal text: a `*` in a tag
 * value is not a wildcard.
 */
export function resolveTemplate(template: Template, lookup: KeyLookup): string | undefined {
  if (template.fixed !== undefined) return template.fixed;
  let out = '';
  for (const part of template.parts) {
    if ('literal' in part) {
      out += part.literal;
      continue;
    }
    const values = lookup(part.variable);
    const value = values?.length === 1 ? values[0] : part.fallback;
    if (value === undefined) return undefined;
    out += value;
  }
  return out;
}

/** Whether an encoded value is free of wildcards (so equality suffices). */
export function isLiteralPattern(encoded: string): boolean {
  return !encoded.includes(WILD_MANY) && !encoded.includes(WILD_ONE);
}
