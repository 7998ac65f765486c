/**
 * The functions of the service and what each may reach. The front function runs the `crypto`
 * group itself and invokes the others synchronously; each of those runs in its own function with
 * its own role. Adding a group (grants, policies, key stores) is one entry here.
 */
import type { FunctionGroup } from '../src/pipeline/group-protocol.js';
import type { TableAccess } from './constructs/table-access.js';

export interface FunctionProfile {
  /** Handler file relative to the project root; it exports `handler`. */
  readonly entry: string;
  /** What it may read and write in the table: only the item kinds and actions its operations use. */
  readonly table: readonly TableAccess[];
}

/**
 * SigV4 opens sealed access-key secrets, and the crypto group uses keys: both need the token.
 * It only reads: access keys, and keys and aliases to resolve a key and its backing key.
 */
/**
 * Every function that authorizes reads identities: the user behind a user's access key (name,
 * tags), the caller's inline and attached IAM policies, and whether a principal a key policy or
 * grant names exists. Read only; only the identities function writes them.
 */
const IDENTITY_READS = { actions: ['GetItem', 'Query'], on: 'table', partitions: ['iam'] } as const satisfies TableAccess;

export const FRONT_FUNCTION = {
  entry: 'functions/front.ts',
  table: [
    { actions: ['GetItem'], on: 'table', partitions: ['key', 'aliases', 'accessKey'] },
    // Grants that allow a cryptographic operation: those on the key, and those grant tokens name.
    { actions: ['GetItem', 'Query'], on: 'table', partitions: ['grants'] },
    IDENTITY_READS,
    // Each key's last use (GetKeyLastUsage), written while the key exists: its own item only.
    { actions: ['UpdateItem'], on: 'table', partitions: ['usage'], withoutKeyMaterial: true },
    { actions: ['ConditionCheckItem'], on: 'table', partitions: ['key'] },
    // When usage tracking began, recorded by the first write of a use.
    { actions: ['GetItem', 'PutItem'], on: 'table', partitions: ['service'], withoutKeyMaterial: true },
  ],
} as const satisfies FunctionProfile;

export const GROUP_FUNCTIONS = {
  keys: {
    entry: 'functions/keys.ts',
    // CreateKey generates key material in the token.
    table: [
      IDENTITY_READS,
      // DescribeKey accepts aliases.
      { actions: ['GetItem'], on: 'table', partitions: ['key', 'aliases'] },
      // CreateKey writes metadata and backing key; the other operations rewrite metadata.
      { actions: ['PutItem'], on: 'table', partitions: ['key'] },
      // DeleteImportedKeyMaterial deletes the imported backing key with the metadata.
      { actions: ['DeleteItem'], on: 'table', partitions: ['key'] },
      // ListKeyRotations: every version of the key's material (the items of its partition).
      { actions: ['Query'], on: 'table', partitions: ['key'] },
      // GetKeyLastUsage: the key's last use, and when tracking began (recorded by the first reader).
      { actions: ['GetItem'], on: 'table', partitions: ['usage'] },
      { actions: ['GetItem', 'PutItem'], on: 'table', partitions: ['service'], withoutKeyMaterial: true },
      // ListKeys.
      { actions: ['Query'], on: 'keyList', partitions: ['keysList'] },
      // CreateKey with a key policy: whether the account roots it names exist (their access keys).
      { actions: ['Query'], on: 'gsi1', partitions: ['principal'] },
      // Grants that allow DescribeKey.
      { actions: ['GetItem', 'Query'], on: 'table', partitions: ['grants'] },
    ],
  },
  // Aliases and tags are metadata: nothing in them touches key material.
  aliases: {
    entry: 'functions/aliases.ts',
    table: [
      IDENTITY_READS,
      { actions: ['GetItem', 'Query'], on: 'table', partitions: ['aliases'] },
      { actions: ['PutItem', 'DeleteItem'], on: 'table', partitions: ['aliases'], withoutKeyMaterial: true },
      // The target key is read, then checked again in the transaction that writes the alias.
      { actions: ['GetItem', 'ConditionCheckItem'], on: 'table', partitions: ['key'] },
      // ListAliases with KeyId.
      { actions: ['Query'], on: 'gsi1', partitions: ['key'] },
    ],
  },
  tags: {
    entry: 'functions/tags.ts',
    // Tags live on the key's metadata item.
    table: [
      IDENTITY_READS,
      { actions: ['GetItem'], on: 'table', partitions: ['key'] },
      { actions: ['PutItem'], on: 'table', partitions: ['key'], withoutKeyMaterial: true },
    ],
  },
  // Key policies live on the key's metadata item; nothing in them touches key material.
  policies: {
    entry: 'functions/policies.ts',
    table: [
      IDENTITY_READS,
      { actions: ['GetItem'], on: 'table', partitions: ['key'] },
      { actions: ['PutItem'], on: 'table', partitions: ['key'], withoutKeyMaterial: true },
      // PutKeyPolicy: whether the account roots the new policy names exist (their access keys).
      { actions: ['Query'], on: 'gsi1', partitions: ['principal'] },
    ],
  },
  // Grants are metadata of their own partition; the key is only read and checked.
  grants: {
    entry: 'functions/grants.ts',
    table: [
      IDENTITY_READS,
      // The key is read, then checked again in the transaction that writes the grant.
      { actions: ['GetItem', 'ConditionCheckItem'], on: 'table', partitions: ['key'] },
      { actions: ['GetItem', 'Query'], on: 'table', partitions: ['grants'] },
      { actions: ['PutItem', 'DeleteItem'], on: 'table', partitions: ['grants'], withoutKeyMaterial: true },
      // ListRetirableGrants.
      { actions: ['Query'], on: 'gsi1', partitions: ['retiring'] },
    ],
  },
  // IAM and STS: users, roles and policies, and the access keys of users and role sessions.
  identities: {
    entry: 'functions/identities.ts',
    table: [
      // Users, roles, policies and attachments, read, listed and written in transactions with their counts.
      { actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'], on: 'table', partitions: ['iam'], withoutKeyMaterial: true },
      // Access keys of users (sealed secret) and of role sessions; their status; their deletion.
      { actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], on: 'table', partitions: ['accessKey'] },
      // ListAccessKeys.
      { actions: ['Query'], on: 'gsi1', partitions: ['principal'] },
    ],
  },
} as const satisfies Partial<Record<FunctionGroup, FunctionProfile>>;

export type DeployedGroup = keyof typeof GROUP_FUNCTIONS;

/**
 * The lifecycle function: a key's deletion at the end of its waiting period (its aliases, grants,
 * backing keys, last-use record and metadata), its rotations (new key material in the token), and
 * the daily check of every record of the table under the token's integrity key.
 */
export const LIFECYCLE_FUNCTION = {
  entry: 'functions/lifecycle.ts',
  table: [
    // Rotation writes the metadata and the new backing key; removal reads and deletes every item of the key.
    { actions: ['GetItem', 'PutItem', 'Query', 'DeleteItem'], on: 'table', partitions: ['key'] },
    { actions: ['Query', 'DeleteItem'], on: 'table', partitions: ['grants'] },
    { actions: ['DeleteItem'], on: 'table', partitions: ['aliases', 'usage'], withoutKeyMaterial: true },
    // The aliases of the key, and the sweep of the keys with due work.
    { actions: ['Query'], on: 'gsi1', partitions: ['key'] },
    { actions: ['Query'], on: 'due', partitions: ['due'] },
    // The record check reads the whole base table: the one grant no partition limits (table-access.ts).
    { scan: 'table' },
    // The upgrade of a table made before records were authenticated gives each authenticated item its MAC, and may set nothing else.
    { actions: ['UpdateItem'], on: 'table', partitions: ['key', 'aliases', 'grants', 'accessKey', 'iam'], macOnly: true },
  ],
} as const satisfies FunctionProfile;

/**
 * The first-credential function (a deploy-time custom resource): the deployment account's root
 * access key, sealed under the token, and the account's record.
 */
export const FIRST_CREDENTIAL_FUNCTION = {
  entry: 'functions/first-credential.ts',
  table: [
    { actions: ['GetItem', 'PutItem'], on: 'table', partitions: ['accessKey'] },
    { actions: ['PutItem'], on: 'table', partitions: ['iam'], withoutKeyMaterial: true },
  ],
} as const satisfies FunctionProfile;

/** The groups whose operations change a key's due dates (deletion, rotation): they arrange schedules. */
export const SCHEDULING_GROUPS: readonly DeployedGroup[] = ['keys'];

/** The deployed groups in declaration order. */
export const deployedGroups = (): DeployedGroup[] => Object.keys(GROUP_FUNCTIONS) as DeployedGroup[];
