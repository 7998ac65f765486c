/**
 * Authenticated items: every item that decides whether or how a key may be used (key metadata,
 * backing key versions, aliases, grants, access keys, IAM accounts, users, roles, policies and
 * attachments) carries a `mac` attribute, the token's HMAC of the item's canonical encoding. The
 * encoding covers every attribute, the table key (`pk`, `sk`) and index keys included, and so the
 * revision where the record has one: a field cannot be changed, and an item cannot be copied under
 * another key, account or user, without the token.
 *
 * Not covered, by design (docs/table-integrity.md): the bookkeeping counters that DynamoDB
 * increments atomically (`COUNTERS`), the last-use records and the service's own markers, none of
 * which grants anything; an older authentic version of the same item put back (replay); and
 * deleted items.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { RecordAuthenticator } from '../../core/ports/index.js';
import type { Item } from './item-mapping.js';
import { KEY_LIST_INDEX, TABLE_KEY } from './table-definition.js';
import { toKmsError } from './dynamo-errors.js';

/** The attribute holding an item's MAC. */
export const MAC_ATTRIBUTE = 'mac';

/**
 * Counters that transactions add to or subtract from with an UpdateExpression (no one could
 * recompute the MAC there); they guard quotas and deletion order, never access.
 */
export const COUNTERS: ReadonlySet<string> = new Set(['accessKeyCount', 'inlinePolicyCount', 'attachedPolicyCount', 'attachmentCount']);

/** Partitions whose items are not authenticated: last-use records and the service's own markers. */
const UNAUTHENTICATED_PARTITIONS = ['USAGE#', 'SERVICE#'] as const;

/** Whether items under this partition key carry a MAC. */
export function isAuthenticatedPartition(pk: string): boolean {
  return !UNAUTHENTICATED_PARTITIONS.some((prefix) => pk.startsWith(prefix));
}

/** Domain separation: a MAC over this encoding can mean nothing else. Bump the version to change the encoding. */
const DOMAIN = 'open-kms record v1';

/** An attribute value as a JSON tree: its DynamoDB type tag, then its value; maps as sorted pairs. */
type Tagged = readonly [string, unknown];

/**
 * The canonical encoding of an item, without its MAC and counters: the UTF-8 of one
 * `JSON.stringify` of a tree in which every value carries its DynamoDB type tag (`["S","1"]` is
 * not `["N","1"]`), binary values are base64, map entries are pairs sorted by name and set
 * members are sorted. JSON.stringify escapes every string (lone surrogates included), so the
 * encoding is injective and written in one native pass. Written by hand because it must be stable
 * forever, and no library encodes DynamoDB's typed values. A number is written as JavaScript
 * prints it, so DynamoDB's normalization of number text does not change the encoding.
 */
export function canonicalEncoding(item: Item): Uint8Array {
  return encoding(DOMAIN, item, Object.keys(item).filter((name) => name !== MAC_ATTRIBUTE && !COUNTERS.has(name)));
}

/** Domain of the key listing's MAC, apart from the record's. */
const LISTING_DOMAIN = 'open-kms key listing v1';

/** What the ListKeys index holds of a key metadata item, its own MAC aside: the table and index keys and the included attributes. */
const LISTED = [TABLE_KEY.partitionKey, TABLE_KEY.sortKey, KEY_LIST_INDEX.partitionKey, KEY_LIST_INDEX.sortKey, ...KEY_LIST_INDEX.included]
  .filter((name) => name !== KEY_LIST_INDEX.mac);

/**
 * The canonical encoding of what the ListKeys index holds of an item (the same form as
 * {@link canonicalEncoding}, in its own domain): the same bytes whether computed from the whole
 * item before it is written or from its projection read back from the index.
 */
export function listingEncoding(item: Item): Uint8Array {
  return encoding(LISTING_DOMAIN, item, LISTED.filter((name) => item[name] !== undefined));
}

function encoding(domain: string, item: Item, names: string[]): Uint8Array {
  return Buffer.from(JSON.stringify([domain, pairs(item, names)]), 'utf8');
}

/** Whether the item belongs in the ListKeys index (a key's metadata). */
function isListed(item: Item): boolean {
  return item[KEY_LIST_INDEX.partitionKey] !== undefined;
}

function pairs(map: Record<string, AttributeValue>, names: string[] = Object.keys(map)): [string, Tagged][] {
  return names.sort(compareStrings).map((name) => [name, tagged(map[name] as AttributeValue)]);
}

function tagged(attribute: AttributeValue): Tagged {
  if (attribute.S !== undefined) return ['S', attribute.S];
  if (attribute.N !== undefined) return ['N', canonicalNumber(attribute.N)];
  if (attribute.B !== undefined) return ['B', Buffer.from(attribute.B).toString('base64')];
  if (attribute.BOOL !== undefined) return ['BOOL', attribute.BOOL];
  if (attribute.NULL !== undefined) return ['NULL', true];
  if (attribute.L !== undefined) return ['L', attribute.L.map(tagged)];
  if (attribute.M !== undefined) return ['M', pairs(attribute.M)];
  if (attribute.SS !== undefined) return ['SS', [...attribute.SS].sort(compareStrings)];
  if (attribute.NS !== undefined) return ['NS', attribute.NS.map(canonicalNumber).sort(compareStrings)];
  if (attribute.BS !== undefined) return ['BS', attribute.BS.map((bytes) => Buffer.from(bytes).toString('base64')).sort(compareStrings)];
  throw new TypeError('An item holds an attribute value of no known type.');
}

/** A number as the readers see it (`Number(text)`): two texts that read as the same number encode alike. */
function canonicalNumber(text: string): string {
  const value = Number(text);
  return Number.isFinite(value) ? String(value) : text;
}

/** Code-unit order, the same on every platform (unlike `localeCompare`). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What an integrity failure names: the item's table key and kind, never its contents. */
export interface IntegrityFailure {
  readonly pk: string;
  readonly sk: string;
  /** The item's `type` attribute as stored (the writer may have changed it), or which index entry failed. */
  readonly type: string;
  readonly reason: 'missing MAC' | 'MAC does not match';
  /** The account and Region the item claims, where it names them (for the report only). */
  readonly accountId?: string;
  readonly region?: string;
}

/** A stored item failed authentication: never acted on; the caller sees KMSInternalException. */
export class RecordIntegrityError extends Error {
  constructor(readonly failure: IntegrityFailure) {
    super(`The stored record ${failure.pk} ${failure.sk} failed its integrity check (${failure.reason}).`);
  }
}

export interface ItemIntegrityOptions {
  readonly authenticator: RecordAuthenticator;
  /** Told of every failure before the read fails: logs it and writes an audit event. Must not throw. */
  readonly onFailure: (failure: IntegrityFailure) => void;
}

/** Seals items before they are written and checks them when they are read. */
export class ItemIntegrity {
  readonly #authenticator: RecordAuthenticator;
  readonly #onFailure: (failure: IntegrityFailure) => void;
  /** Until the upgrade has run, an item without a MAC is accepted. Read from the token at start. */
  #upgraded: boolean;

  /** `upgraded`: whether the upgrade has run (`create` reads it from the token). */
  constructor(options: ItemIntegrityOptions, upgraded: boolean) {
    this.#authenticator = options.authenticator;
    this.#onFailure = options.onFailure;
    this.#upgraded = upgraded;
  }

  static async create(options: ItemIntegrityOptions): Promise<ItemIntegrity> {
    return new ItemIntegrity(options, await options.authenticator.upgraded());
  }

  /** Whether items without a MAC are refused (the upgrade has run). */
  get upgraded(): boolean {
    return this.#upgraded;
  }

  /**
   * The item with its MAC; a key's metadata first gets the MAC of its listing, which the
   * record's MAC then covers too.
   */
  async seal(item: Item): Promise<Item> {
    const listed = isListed(item) ? { ...item, [KEY_LIST_INDEX.mac]: { B: await this.#authenticator.mac(listingEncoding(item)) } } : item;
    return { ...listed, [MAC_ATTRIBUTE]: { B: await this.#authenticator.mac(canonicalEncoding(listed)) } };
  }

  /** Just the MAC of `item` (for an update that sets it beside the attributes it changes). */
  async macOf(item: Item): Promise<AttributeValue> {
    return { B: await this.#authenticator.mac(canonicalEncoding(item)) };
  }

  /**
   * An entry read from the ListKeys index, if its listing MAC is right; otherwise reports the
   * failure and throws `RecordIntegrityError`. Every entry has one: the index holds only items
   * this version sealed (or the listing upgrade gave one), so a missing MAC is always a failure.
   */
  async openListing(entry: Item): Promise<Item> {
    const mac = entry[KEY_LIST_INDEX.mac]?.B;
    if (mac === undefined || !(await this.#authenticator.verify(listingEncoding(entry), mac))) {
      // The projection holds no `type`: the report names the index instead.
      const failure = { ...failureOf(entry, mac === undefined ? 'missing MAC' : 'MAC does not match'), type: `${KEY_LIST_INDEX.indexName} index entry` };
      this.#onFailure(failure);
      throw new RecordIntegrityError(failure);
    }
    return entry;
  }

  /** The item, if its MAC is right; otherwise reports the failure and throws `RecordIntegrityError`. */
  async open(item: Item): Promise<Item> {
    const failure = await this.check(item);
    if (failure !== undefined) {
      this.#onFailure(failure);
      throw new RecordIntegrityError(failure);
    }
    return item;
  }

  /** Why `item` fails, or undefined if it passes; reports nothing (the verify scan's own check). */
  async check(item: Item): Promise<IntegrityFailure | undefined> {
    const mac = item[MAC_ATTRIBUTE]?.B;
    if (mac === undefined) return this.#upgraded ? failureOf(item, 'missing MAC') : undefined;
    return (await this.#authenticator.verify(canonicalEncoding(item), mac)) ? undefined : failureOf(item, 'MAC does not match');
  }

  /** After the upgrade: from now on an item without a MAC is refused, here and (through the token) in every later process. */
  async markUpgraded(): Promise<void> {
    await this.#authenticator.markUpgraded();
    this.#upgraded = true;
  }
}

/** Checks a stored item's MAC; a failure (already reported) becomes an opaque internal error. */
export async function opened(integrity: ItemIntegrity, item: Item): Promise<Item> {
  try {
    return await integrity.open(item);
  } catch (error) {
    throw toKmsError(error);
  }
}

/** Checks a ListKeys index entry's MAC; a failure (already reported) becomes an opaque internal error. */
export async function openedListing(integrity: ItemIntegrity, entry: Item): Promise<Item> {
  try {
    return await integrity.openListing(entry);
  } catch (error) {
    throw toKmsError(error);
  }
}

function failureOf(item: Item, reason: IntegrityFailure['reason']): IntegrityFailure {
  return {
    pk: item[TABLE_KEY.partitionKey]?.S ?? '(none)',
    sk: item[TABLE_KEY.sortKey]?.S ?? '(none)',
    type: item['type']?.S ?? '(none)',
    reason,
    ...(item['accountId']?.S === undefined ? {} : { accountId: item['accountId'].S }),
    ...(item['region']?.S === undefined ? {} : { region: item['region'].S }),
  };
}
