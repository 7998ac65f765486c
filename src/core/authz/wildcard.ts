/**
 * Glob patterns of the IAM policy language: `*` matches any run of characters (including none) and
 * `?` exactly one. Written by hand because the language has no character classes, so a two-pointer
 * matcher is simpler and faster than building regular expressions from untrusted text.
 *
 * A compiled pattern carries its wildcards as two private-use characters, so that a literal `*` or
 * `?` (written `${*}` and `${?}` in a policy) stays literal. Policy documents cannot contain these
 * characters: both key policies and IAM policies are limited to Basic Latin and Latin-1.
 */

/** The wildcard `*` inside an encoded pattern. */
export const WILD_MANY = '\uE000';
/** The wildcard `?` inside an encoded pattern. */
export const WILD_ONE = '\uE001';
const MANY = 0xe000;
const ONE = 0xe001;

/** Encodes policy text whose every `*` and `?` is a wildcard. */
export function encodeWildcards(text: string): string {
  return text.replaceAll('*', WILD_MANY).replaceAll('?', WILD_ONE);
}

/** A compiled pattern: a test that the subject matches it. */
export type Matcher = (subject: string) => boolean;

export const matchesAnything: Matcher = () => true;

/** Whether `subject` matches the encoded `pattern` (case-sensitive). */
export function globMatches(pattern: string, subject: string): boolean {
  let p = 0;
  let s = 0;
  let star = -1;
  let mark = 0;
  while (s < subject.length) {
    const c = pattern.charCodeAt(p);
    if (p < pattern.length && (c === ONE || c === subject.charCodeAt(s))) {
      p += 1;
      s += 1;
    } else if (p < pattern.length && c === MANY) {
      star = p;
      p += 1;
      mark = s;
    } else if (star >= 0) {
      p = star + 1;
      mark += 1;
      s = mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === MANY) p += 1;
  return p === pattern.length;
}

/**
 * Compiles an encoded pattern once: exact text compares by equality, `*` alone matches everything,
 * a single trailing `*` is a prefix test; anything else runs the general matcher.
 */
export function compileGlob(pattern: string, options: { readonly ignoreCase?: boolean } = {}): Matcher {
  const fold = options.ignoreCase === true;
  const p = fold ? pattern.toLowerCase() : pattern;
  if (p === WILD_MANY) return matchesAnything;
  const many = p.indexOf(WILD_MANY);
  const one = p.indexOf(WILD_ONE);
  if (many < 0 && one < 0) return fold ? (s) => s.toLowerCase() === p : (s) => s === p;
  if (one < 0 && many === p.length - 1) {
    const prefix = p.slice(0, -1);
    return fold ? (s) => s.toLowerCase().startsWith(prefix) : (s) => s.startsWith(prefix);
  }
  return fold ? (s) => globMatches(p, s.toLowerCase()) : (s) => globMatches(p, s);
}

/** A matcher that accepts what any of `matchers` accepts. */
export function anyOf(matchers: readonly Matcher[]): Matcher {
  if (matchers.includes(matchesAnything)) return matchesAnything;
  if (matchers.length === 1 && matchers[0] !== undefined) return matchers[0];
  return (subject) => matchers.some((m) => m(subject));
}
