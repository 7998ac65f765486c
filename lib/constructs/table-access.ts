/**
 * What each function may do in the single table, as IAM sees it: item actions on the base table
 * or an index, limited by `dynamodb:LeadingKeys` to the partitions of the item kinds it
 * works with (docs/table-design.md), and, for rules that need no key material, by
 * `dynamodb:Attributes` to items that carry no key material or sealed secret.
 *
 * IAM sees the partition key only: a key's backing-key items share its partition with its
 * metadata, so a function that may write key metadata may also write (not plant material into)
 * a backing-key item of the same key.
 *
 * One exception, {@link TableScan}: the lifecycle function checks every record of the table under
 * the token's integrity key once a day (`record-scan.ts`), and a Scan names no partition, so no
 * `LeadingKeys` condition can limit it (a `ForAllValues` condition on a key the request does not
 * carry would even pass). It is granted as a statement of its own, `dynamodb:Scan` alone on the
 * base table (not an index), read only: what it gives is read access to every item, sealed
 * secrets and wrapped key material included, which that function, holding the token, could open
 * anyway. What it writes while doing so is one attribute only ({@link ItemAccess.macOnly}).
 */
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import {
  accessKeyPartition, aliasPartition, grantsPartition, iamPartition, keyPartition, keysListPartition, principalPartition, retiringPartition,
  servicePartition, usagePartition, DUE_PARTITION,
} from '../../src/adapters/dynamodb/item-keys.js';
import { DUE_INDEX, GSI1, KEY_LIST_INDEX, TABLE_KEY } from '../../src/adapters/dynamodb/table-definition.js';
import { MAC_ATTRIBUTE } from '../../src/adapters/dynamodb/item-integrity.js';

/** `KEY#…` → `KEY#`: the part of a partition key that names the item kind. */
const kindOf = (partition: string): string => partition.slice(0, partition.indexOf('#') + 1);

/** Partition-key prefixes of the item kinds, taken from the store's own key functions. */
export const PARTITIONS = {
  /** A key's metadata and backing keys (base table); the aliases of a key (gsi1). */
  key: kindOf(keyPartition('0', 'r', 'k')),
  /** The keys of an account and Region (the ListKeys index). */
  keysList: kindOf(keysListPartition('0', 'r')),
  /** The aliases of an account and Region (base table). */
  aliases: kindOf(aliasPartition('0', 'r')),
  /** The grants of a key (base table). */
  grants: kindOf(grantsPartition('0', 'r', 'k')),
  /** The grants a principal may retire (gsi1). */
  retiring: kindOf(retiringPartition('r', 'p')),
  /** One access key (base table). */
  accessKey: kindOf(accessKeyPartition('k')),
  /** The access keys of a principal (gsi1). */
  principal: kindOf(principalPartition('p')),
  /** The IAM users, roles, policies and attachments of an account (base table). */
  iam: kindOf(iamPartition('0')),
  /** The last use of a key (base table). */
  usage: kindOf(usagePartition('0', 'r', 'k')),
  /** The service's own records: when usage tracking began (base table). */
  service: kindOf(servicePartition('s')),
  /** The keys with lifecycle work, earliest first (the `due` index's one partition). */
  due: DUE_PARTITION,
} as const;

export type Partition = keyof typeof PARTITIONS;

/** Attributes that hold key material or sealed secrets (docs/table-design.md): the binary ones. */
export const KEY_MATERIAL_ATTRIBUTES = ['wrappedMaterial', 'publicKey', 'sealedSecretIv', 'sealedSecretCiphertext'] as const;

/** Item-level actions: batch and table-level actions are never granted, Scan only as {@link TableScan}. */
export type ItemAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem' | 'Query';

/** The attributes a {@link ItemAccess.macOnly} request may name: the table key and the MAC. */
export const MAC_ONLY_ATTRIBUTES = [TABLE_KEY.partitionKey, TABLE_KEY.sortKey, MAC_ATTRIBUTE] as const;

/** The indexes a rule may query, by the name rules give them. */
const INDEXES = { gsi1: GSI1.indexName, keyList: KEY_LIST_INDEX.indexName, due: DUE_INDEX.indexName } as const;

/** Item actions on some partitions: every rule but the one scan. */
export interface ItemAccess {
  readonly actions: readonly ItemAction[];
  /** The base table (partition key `pk`), the gsi1 index (`gsi1pk`), the ListKeys index (`listPk`) or the due-date index (`duePk`). */
  readonly on: 'table' | keyof typeof INDEXES;
  /** The partitions the actions may touch, by item kind. */
  readonly partitions: readonly Partition[];
  /** The request may name no attribute of {@link KEY_MATERIAL_ATTRIBUTES}. */
  readonly withoutKeyMaterial?: true;
  /**
   * The request may name no attribute but {@link MAC_ONLY_ATTRIBUTES} (`dynamodb:Attributes`): an
   * UpdateItem that gives an item its MAC (`SET mac`, the upgrade of an older table), and nothing else.
   * IAM cannot require that the item exist (`attribute_exists(pk)` is the caller's own condition),
   * so such an UpdateItem could also make an item of only its key and a MAC (docs/table-design.md).
   */
  readonly macOnly?: true;
}

/**
 * Reading every item of the base table (`dynamodb:Scan`, no index): the lifecycle function's
 * integrity check and upgrade. No partition condition applies to a Scan (see the module's doc),
 * so it is a rule of its own, with no other action beside it.
 */
export interface TableScan {
  readonly scan: 'table';
}

export type TableAccess = ItemAccess | TableScan;

/** One policy statement per rule on the grantee's role. */
export function grantTableAccess(grantee: IGrantable, table: TableV2, rules: readonly TableAccess[]): void {
  for (const rule of rules) {
    if ('scan' in rule) {
      // Its own statement: a LeadingKeys condition beside it would not limit it, and no item action may share its lack of one.
      grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:Scan'], resources: [table.tableArn] }));
      continue;
    }
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({
      actions: rule.actions.map((action) => `dynamodb:${action}`),
      resources: [rule.on === 'table' ? table.tableArn : `${table.tableArn}/index/${INDEXES[rule.on]}`],
      conditions: {
        // LeadingKeys is the partition key of the table or of the index queried; every granted
        // action names exactly one, so ForAllValues cannot pass for want of a value.
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': rule.partitions.map((partition) => `${PARTITIONS[partition]}*`) },
        ...(rule.withoutKeyMaterial === true
          ? { 'ForAllValues:StringNotEquals': { 'dynamodb:Attributes': [...KEY_MATERIAL_ATTRIBUTES] } }
          : {}),
        // The key attributes are among those a request names (DynamoDB counts them), so they are listed.
        ...(rule.macOnly === true ? { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...MAC_ONLY_ATTRIBUTES] } } : {}),
      },
    }));
  }
}
