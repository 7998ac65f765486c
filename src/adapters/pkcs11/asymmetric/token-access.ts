/**
 * What the asymmetric adapter borrows from an open `Pkcs11KeyMaterial`: its sessions, its wrapping
 * keys and its bounded cache of token objects, so both adapters share one login, one set of
 * wrapping keys and one limit on the number of objects left loaded in the token.
 */
import type { Session } from 'graphene-pk11';
import type { WrapRole } from '../key-templates.js';

/** A PKCS#11 object handle (CK_OBJECT_HANDLE as pkcs11js passes it). */
export type Handle = Buffer;

export interface TokenAccess {
  /** CKM_* values the token's slot reports (C_GetMechanismList). */
  readonly mechanisms: ReadonlySet<number>;
  /** The non-extractable AES-256 key that wraps the stored keys of each class (`key-templates.ts`). */
  readonly wrappingKeys: Readonly<Record<WrapRole, Handle>>;
  /**
   * Loads a stored key of `role` on `session` (the object session) with the unwrap template of its
   * class; keys not yet moved off the legacy root key by the migration load from it.
   */
  unwrap(session: Session, role: WrapRole, blob: Uint8Array): Handle;
  /**
   * Runs `create` on the session that owns every unwrapped or imported object (the objects die
   * with it). Token failures become KMS exceptions.
   */
  withObjectSession<T>(create: (session: Session) => T): T;
  /**
   * The handle cached under `cacheKey`, or the one `load` makes (on the object session), then
   * cached. The least recently used object is destroyed when the cache is full.
   */
  cachedObject(cacheKey: string, load: (session: Session) => Handle): Handle;
  /**
   * Runs a single-part operation on the crypto session. A failure replaces the session (an
   * operation may be left active), evicts `cacheKey` when the handle went stale, and becomes a KMS
   * exception; `InvalidCiphertextException` thrown by `operation` passes through.
   */
  crypto<T>(operation: (session: Session) => T, cacheKey?: string): T;
  /** Destroys a session object, ignoring objects that are already gone. */
  destroyObject(handle: Handle): void;
  /**
   * Runs `generate` in a session of its own, where it may await the callback (thread pool) form of
   * a long PKCS#11 call such as C_GenerateKeyPair; `destroy` destroys an object made there. Token
   * failures become KMS exceptions.
   */
  generateOffLoop<T>(generate: (session: Session, destroy: (handle: Handle) => void) => Promise<T>): Promise<T>;
}
