/**
 * The seams between the pure core and the outside world. Every adapter (DynamoDB, PKCS#11,
 * clock, audit, scheduler) implements one of these small structural interfaces; the core
 * never imports an SDK, a PKCS#11 binding or an HTTP module.
 */
export type { Page, PageRequest } from './paging.js';
export type { KeyListing, KeyLocator, KeyStore } from './key-store.js';
export type { AliasStore } from './alias-store.js';
export type { CredentialStore } from './credential-store.js';
export type { KeyMaterial, SealedData, WrappedKeyRef } from './key-material.js';
export type {
  AsymmetricKeyMaterial, GeneratedKey, GeneratedKeyPair, SigningInput, StoredKeyRef,
} from './asymmetric-key-material.js';
export type { EncryptedImport, ImportedMaterial, KeyImport, WrappingKeyPair } from './key-import.js';
export type { Clock } from './clock.js';
export type { AuditSink } from './audit-sink.js';
export type { IdSource } from './id-source.js';
export type { IdentityDirectory, IdentityPolicy } from './identity-directory.js';
export type { GrantLookup } from './grant-lookup.js';
export type { DueKey, DueWorkIndex, KeyRemoval, Scheduler } from './lifecycle.js';
export type { GrantStore } from './grant-store.js';
export { IAM_QUOTAS, type IdentityStore } from './identity-store.js';
export type { KeyUsageLog, KeyUsageRecord, KeyUsageStore } from './key-usage.js';
export type { CredentialSecret, RootCredential } from './credential-secret.js';
export type { RecordAuthenticator } from './record-authenticator.js';
