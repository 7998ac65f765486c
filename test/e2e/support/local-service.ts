/**
 * One real local service per test file: SoftHSM token, DynamoDB Local and the HTTP server, in a
 * temporary data directory, reached through the stock `@aws-sdk/client-kms`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll } from 'vitest';
import { startLocalService, type LocalService, type LocalServiceOptions } from '../../../src/local/local-service.js';
import { silentLogger } from '../../../src/pipeline/logger.js';

export const ACCOUNT_ID = '111122223333';
export const REGION = 'us-east-1';
export const OTHER_REGION = 'us-west-2';

/** A started service and clients for it; valid between the file's `beforeAll` and `afterAll`. */
export class E2eService {
  #service: LocalService | undefined;
  readonly #options: (dataDir: string) => Promise<Partial<LocalServiceOptions>>;

  /** `options` adds start options (VPC endpoints, …), given the data directory. */
  constructor(options: (dataDir: string) => Promise<Partial<LocalServiceOptions>> = async () => ({})) {
    this.#options = options;
  }
  readonly #clients = new Map<string, KMSClient>();
  #dataDir: string | undefined;

  get service(): LocalService {
    if (this.#service === undefined) throw new Error('The local service is not running.');
    return this.#service;
  }

  get dataDir(): string {
    if (this.#dataDir === undefined) throw new Error('The local service has no data directory yet.');
    return this.#dataDir;
  }

  /** The KMS client of the account's root credentials, in us-east-1. */
  get kms(): KMSClient {
    return this.kmsIn(REGION);
  }

  /** A KMS client of the root credentials that reaches the service through a simulated VPC endpoint. */
  kmsVia(endpointId: string): KMSClient {
    const endpoint = this.service.vpcEndpoints.get(endpointId);
    if (endpoint === undefined) throw new Error(`${endpointId} is not simulated`);
    return this.kmsIn(REGION, endpoint);
  }

  /** A KMS client acting in `region` (through `endpoint`, the main listener unless given). */
  kmsIn(region: string, endpoint = this.service.endpoint): KMSClient {
    const name = `${region} ${endpoint}`;
    let client = this.#clients.get(name);
    if (client === undefined) {
      const { credentials } = this.service;
      client = new KMSClient({
        endpoint,
        region,
        credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
        // One attempt: a retried request would hide what the service answered first.
        maxAttempts: 1,
      });
      this.#clients.set(name, client);
    }
    return client;
  }

  /** The environment of a stock AWS client (CLI, boto3) that reads nothing but the service's credentials file. */
  stockClientEnv(): NodeJS.ProcessEnv {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
    return {
      ...env,
      AWS_SHARED_CREDENTIALS_FILE: this.service.credentials.path,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
      NO_PROXY: '127.0.0.1,localhost',
    };
  }

  /** Runs `aws kms <args>` (the stock AWS CLI) against the service; its parsed JSON output, `{}` when it prints none. */
  async awsKms(...args: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await promisify(execFile)('aws', ['kms', ...args, '--endpoint-url', this.service.endpoint, '--region', REGION, '--output', 'json'], {
      env: this.stockClientEnv(), timeout: 60_000,
    });
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
  }

  /**
   * Creates users and roles (trusting the account) in the account, through the stock IAM client,
   * so that grants and key policies may name them (both refuse principals that do not exist).
   */
  async createIdentities(identities: { readonly users?: readonly string[]; readonly roles?: readonly string[] }): Promise<void> {
    const { credentials, endpoint } = this.service;
    const iam = new IAMClient({ endpoint, region: REGION, credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }, maxAttempts: 1 });
    const trust = JSON.stringify({
      Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'sts:AssumeRole' }],
    });
    try {
      for (const UserName of identities.users ?? []) await iam.send(new CreateUserCommand({ UserName }));
      for (const RoleName of identities.roles ?? []) await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
    } finally {
      iam.destroy();
    }
  }

  /** Starts the service; `options` (such as `clockOffsetMs`) apply to this start only. */
  async start(options: Partial<LocalServiceOptions> = {}): Promise<void> {
    this.#dataDir ??= await mkdtemp(join(tmpdir(), 'kms-e2e-'));
    this.#service = await startLocalService({ dataDir: this.#dataDir, port: 0, logger: silentLogger, ...(await this.#options(this.#dataDir)), ...options });
  }

  async stop(): Promise<void> {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
    const service = this.#service;
    this.#service = undefined;
    await service?.stop();
  }

  /** Stops the service and starts it again on the same data directory (on a new port). */
  async restart(options: Partial<LocalServiceOptions> = {}): Promise<void> {
    await this.stop();
    await this.start(options);
  }

  async remove(): Promise<void> {
    await this.stop();
    if (this.#dataDir !== undefined) await rm(this.#dataDir, { recursive: true, force: true });
  }
}

/** Starts one service for the calling test file and removes it, with its data, afterwards. */
export function useLocalService(options?: (dataDir: string) => Promise<Partial<LocalServiceOptions>>): E2eService {
  const e2e = new E2eService(options);
  beforeAll(() => e2e.start());
  afterAll(() => e2e.remove());
  return e2e;
}
