/**
 * A real local service with two accounts for the identity tests, and stock IAM, STS and KMS
 * clients for any credentials.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll } from 'vitest';
import { startLocalService, type LocalService } from '../../../src/local/local-service.js';
import { silentLogger } from '../../../src/pipeline/logger.js';
import { REGION } from './local-service.js';

export const ACCOUNT_A = '111122223333';
export const ACCOUNT_B = '444455556666';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export class IdentityService {
  #service: LocalService | undefined;
  #dataDir: string | undefined;
  readonly #clients: { destroy(): void }[] = [];
  /** How far the service's clock (and the clients made from now on) run ahead of real time. */
  offsetMs = 0;

  get service(): LocalService {
    if (this.#service === undefined) throw new Error('The local service is not running.');
    return this.#service;
  }

  get dataDir(): string {
    if (this.#dataDir === undefined) throw new Error('no data folder');
    return this.#dataDir;
  }

  /** Root credentials of `accountId`. */
  root(accountId: string): Credentials {
    const account = this.service.accounts.find((candidate) => candidate.accountId === accountId);
    if (account === undefined) throw new Error(`no account ${accountId}`);
    return { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey };
  }

  #track<C extends { destroy(): void }>(client: C): C {
    this.#clients.push(client);
    return client;
  }

  iam(credentials: Credentials): IAMClient {
    return this.#track(new IAMClient({ endpoint: this.service.endpoint, region: REGION, credentials, maxAttempts: 1, systemClockOffset: this.offsetMs }));
  }

  sts(credentials: Credentials): STSClient {
    return this.#track(new STSClient({ endpoint: this.service.endpoint, region: REGION, credentials, maxAttempts: 1, systemClockOffset: this.offsetMs }));
  }

  kms(credentials: Credentials): KMSClient {
    return this.#track(new KMSClient({ endpoint: this.service.endpoint, region: REGION, credentials, maxAttempts: 1, systemClockOffset: this.offsetMs }));
  }

  async start(): Promise<void> {
    this.#dataDir ??= await mkdtemp(join(tmpdir(), 'kms-iam-e2e-'));
    this.#service = await startLocalService({
      dataDir: this.#dataDir, port: 0, logger: silentLogger, accounts: [ACCOUNT_A, ACCOUNT_B],
      clock: { now: () => new Date(Date.now() + this.offsetMs) },
    });
  }

  async remove(): Promise<void> {
    for (const client of this.#clients.splice(0)) client.destroy();
    await this.#service?.stop();
    this.#service = undefined;
    if (this.#dataDir !== undefined) await rm(this.#dataDir, { recursive: true, force: true });
  }
}

export function useIdentityService(): IdentityService {
  const service = new IdentityService();
  beforeAll(() => service.start());
  afterAll(() => service.remove());
  return service;
}
