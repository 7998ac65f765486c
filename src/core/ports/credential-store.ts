/** Persistence of access keys. */
import type { AccessKeyRecord } from '../iam/records.js';

/** Persistence of access keys used to verify SigV4 signatures. */
export interface CredentialStore {
  /** Fails with `AlreadyExistsException` if the access key ID exists. */
  putAccessKey(record: AccessKeyRecord): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  /** Access keys belonging to one principal ARN. */
  listAccessKeys(principalArn: string): Promise<readonly AccessKeyRecord[]>;
}
