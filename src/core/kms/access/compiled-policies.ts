/**
 * Compiled policies, cached so that a request compiles nothing: a key policy compiled once per
 * document text and shared by every key with that text (most keys of an account have the same
 * default key policy, and a compiled one is about 18 KB), found per key ARN and revision (a key
 * record's revision changes with every metadata write, PutKeyPolicy included); an IAM policy per
 * document text. The caches are bounded; a stored document that no longer parses is refused with
 * an internal error rather than read as "no policy".
 */
import { KMSInternalException } from '../../../models/kms/generated/errors.js';
import { compilePolicy, parsePolicy, type CompiledPolicy, type ParsedPolicy, type PolicySource } from '../../authz/index.js';
import type { IdentityPolicy } from '../../ports/index.js';
import type { KeyRecord } from '../records.js';
import { say } from '../messages.js';

/** Compiled documents kept before a cache starts over (each compiled policy is a few to tens of kilobytes). */
const MAX_ENTRIES = 10_000;
/** Keys whose compiled policy is remembered (a small entry each: the compiled document is shared). */
const MAX_KEYS = 100_000;

interface CachedKeyPolicy {
  readonly revision: number;
  readonly text: string;
  readonly source: PolicySource;
}

/** An IAM policy compiled once, and whether it reads kms:ResourceAliases (which costs an alias lookup). */
export interface CompiledIdentityPolicy {
  readonly policy: CompiledPolicy;
  readonly usesResourceAliases: boolean;
}

function usesKey(parsed: ParsedPolicy, lowerKey: string): boolean {
  return parsed.statements.some((s) => s.conditions.some((c) => c.key.toLowerCase() === lowerKey));
}

function parseStored(text: string, kind: 'key' | 'identity', what: string): ParsedPolicy {
  try {
    return parsePolicy(text, { kind });
  } catch {
    // The wire gets AWS's plain internal error; which stored document failed is for operators only.
    throw new KMSInternalException(say('internalError'), { reason: `The stored ${what} could not be read.` });
  }
}

export class CompiledPolicies {
  readonly #keys = new Map<string, CachedKeyPolicy>();
  readonly #keyDocuments = new Map<string, PolicySource>();
  readonly #identities = new Map<string, CompiledIdentityPolicy>();

  /** The key's policy, compiled once per document and found once per revision. */
  keyPolicy(key: KeyRecord): PolicySource {
    const cached = this.#keys.get(key.arn);
    if (cached !== undefined && cached.revision === key.revision && cached.text === key.policy) return cached.source;
    let source = this.#keyDocuments.get(key.policy);
    if (source === undefined) {
      source = { policy: compilePolicy(parseStored(key.policy, 'key', 'key policy')), name: 'default' };
      if (this.#keyDocuments.size >= MAX_ENTRIES) this.#keyDocuments.clear();
      this.#keyDocuments.set(key.policy, source);
    }
    if (this.#keys.size >= MAX_KEYS) this.#keys.clear();
    this.#keys.set(key.arn, { revision: key.revision, text: key.policy, source });
    return source;
  }

  /** An IAM policy, compiled once per document. */
  identityPolicy(policy: IdentityPolicy): CompiledIdentityPolicy {
    let compiled = this.#identities.get(policy.document);
    if (compiled === undefined) {
      const parsed = parseStored(policy.document, 'identity', 'IAM policy');
      compiled = { policy: compilePolicy(parsed), usesResourceAliases: usesKey(parsed, 'kms:resourcealiases') };
      if (this.#identities.size >= MAX_ENTRIES) this.#identities.clear();
      this.#identities.set(policy.document, compiled);
    }
    return compiled;
  }
}
