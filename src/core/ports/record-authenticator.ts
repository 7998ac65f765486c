/**
 * Authenticates the table's records under a key that stays in the token, so whoever can write the
 * table (but not use the token) cannot change what a record says, or move it, unnoticed.
 */
export interface RecordAuthenticator {
  /** The MAC (HMAC-SHA256) of a record's canonical encoding, computed in the token. */
  mac(data: Uint8Array): Promise<Uint8Array>;
  /** Whether `mac` is the MAC of `data`; compared in constant time. */
  verify(data: Uint8Array, mac: Uint8Array): Promise<boolean>;
  /**
   * Whether every record of the table has been given a MAC (the one-time upgrade of a data folder
   * made before records were authenticated has run). Until then a record without a MAC is accepted;
   * afterwards it is refused. Kept in the token, where a writer of the table cannot reset it.
   */
  upgraded(): Promise<boolean>;
  /** Records that the upgrade has run; idempotent. */
  markUpgraded(): Promise<void>;
}
