/** Stored shapes of identities. Timestamps are epoch milliseconds. */

export interface AccessKeyRecord {
  readonly accessKeyId: string;
  /** The secret access key sealed under the token's root key (never stored in the clear). */
  readonly sealedSecret: { readonly iv: Uint8Array; readonly ciphertext: Uint8Array };
  readonly accountId: string;
  /** ARN of the principal the key belongs to, e.g. `arn:aws:iam::111122223333:root`. */
  readonly principalArn: string;
  readonly principalId: string;
  readonly status: 'Active' | 'Inactive';
  readonly creationDate: number;
}
