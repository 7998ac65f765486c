/** `npm start`: runs the local KMS service until interrupted. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_AUDIT_LOG_KEEP, DEFAULT_AUDIT_LOG_MAX_BYTES } from '../adapters/audit/file-audit-sink.js';
import { parseByteSize } from './byte-size.js';
import {
  DEFAULT_ACCOUNT_ID, DEFAULT_CACHE_KEYS, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SEED_REGION, startLocalService, type LocalService, type VpcEndpointListener,
} from './local-service.js';
import { formatStep } from './setup-steps.js';
import { parseDuration } from './duration.js';

function port(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65535) throw new InvalidArgumentError('not a port number');
  return parsed;
}

function accountId(value: string): string {
  if (!/^\d{12}$/.test(value)) throw new InvalidArgumentError('an account ID is 12 digits');
  return value;
}

function accountIds(value: string): string[] {
  const ids = value.split(',').map((id) => id.trim());
  if (ids.some((id) => !/^\d{12}$/.test(id))) throw new InvalidArgumentError('a comma-separated list of 12-digit account IDs');
  if (new Set(ids).size !== ids.length) throw new InvalidArgumentError('an account is listed twice');
  return ids;
}

function byteSize(value: string): number {
  const bytes = parseByteSize(value);
  if (bytes === undefined) throw new InvalidArgumentError('not a size such as 1MB, 100MB, 2GB or a byte count');
  return bytes;
}

function wholeNumber(minimum: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < minimum) throw new InvalidArgumentError(`not a whole number of at least ${minimum}`);
    return parsed;
  };
}

function region(value: string): string {
  if (!/^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(value)) throw new InvalidArgumentError('not a Region name such as us-east-1');
  return value;
}

/** `PORT:vpce-ID:vpc-ID`, repeatable. */
function vpcEndpoint(value: string, previous: readonly VpcEndpointListener[]): VpcEndpointListener[] {
  const match = /^(\d{1,5}):(vpce-[0-9a-f]{8,17}):(vpc-[0-9a-f]{8,17})$/.exec(value);
  if (match === null || Number(match[1]) > 65535) throw new InvalidArgumentError('expected PORT:vpce-ID:vpc-ID, e.g. 4600:vpce-0295a3caf8414c94a:vpc-2b2b2b2b');
  const endpoint = { port: Number(match[1]), endpointId: match[2] ?? '', vpcId: match[3] ?? '' };
  if (previous.some((e) => e.endpointId === endpoint.endpointId)) throw new InvalidArgumentError(`${endpoint.endpointId} is given twice`);
  return [...previous, endpoint];
}

/** `vpce-ID=FILE`, repeatable. */
function vpcEndpointPolicy(value: string, previous: ReadonlyMap<string, string>): Map<string, string> {
  const match = /^(vpce-[0-9a-f]{8,17})=(.+)$/.exec(value);
  if (match === null) throw new InvalidArgumentError('expected vpce-ID=FILE');
  const id = match[1] ?? '';
  if (previous.has(id)) throw new InvalidArgumentError(`${id} has a policy already`);
  return new Map([...previous, [id, match[2] ?? '']]);
}

function duration(value: string): string {
  if (parseDuration(value) === undefined) throw new InvalidArgumentError('a duration such as 90d, 8h, 30m or 1d12h');
  return value;
}

interface CliOptions {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly accountId: string;
  readonly accounts?: string[];
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly seed?: string;
  readonly seedRegion: string;
  readonly quiet?: boolean;
  readonly auditLogMaxSize: number;
  readonly auditLogKeep: number;
  readonly cacheKeys: number;
  readonly vpcEndpoint: readonly VpcEndpointListener[];
  readonly vpcEndpointPolicy: ReadonlyMap<string, string>;
  readonly clockOffset?: string;
}

const program = new Command('kms-local')
  .description('Self-hosted AWS KMS-compatible service, local mode')
  .option('--port <port>', 'port to listen on', port, DEFAULT_PORT)
  .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', DEFAULT_HOST)
  .option('--data-dir <dir>', 'folder for the token, the database, credentials and the audit log', '.kms-data')
  .addOption(new Option('--account-id <id>', 'AWS account ID of the local account (a new folder takes it; an existing one must match)')
    .env('KMS_ACCOUNT_ID').default(DEFAULT_ACCOUNT_ID).argParser(accountId))
  .addOption(new Option('--accounts <ids>', 'every account to serve, comma-separated; the first is the folder\'s own (default: the --account-id)').argParser(accountIds))
  .addOption(new Option('--access-key-id <id>', 'fixed access key ID of the account root (with --secret-access-key)').env('KMS_ACCESS_KEY_ID'))
  .addOption(new Option('--secret-access-key <secret>', 'fixed secret access key of the account root').env('KMS_SECRET_ACCESS_KEY'))
  .addOption(new Option('--seed <file>', "keys and aliases to create on start, in local-kms's seed.yaml format").env('KMS_SEED_PATH'))
  .addOption(new Option('--seed-region <region>', 'Region the seeded keys and aliases are created in').env('KMS_REGION').default(DEFAULT_SEED_REGION).argParser(region))
  .addOption(new Option('--audit-log-max-size <size>', 'size at which audit.log is rotated to a numbered, compressed file (1MB, 100MB, 2GB or bytes)')
    .env('KMS_AUDIT_LOG_MAX_SIZE').default(DEFAULT_AUDIT_LOG_MAX_BYTES, '100MB').argParser(byteSize))
  .addOption(new Option('--audit-log-keep <n>', 'how many rotated audit logs are kept (0: none)')
    .env('KMS_AUDIT_LOG_KEEP').default(DEFAULT_AUDIT_LOG_KEEP).argParser(wholeNumber(0)))
  .addOption(new Option('--cache-keys <n>', 'how many keys, backing keys and aliases each in-memory cache holds, and how many backing keys the token keeps unwrapped')
    .env('KMS_CACHE_KEYS').default(DEFAULT_CACHE_KEYS).argParser(wholeNumber(1)))
  .option('--vpc-endpoint <port:vpce-id:vpc-id>', 'another listener that stands for an interface VPC endpoint of a VPC (repeatable)', vpcEndpoint, [])
  .option('--vpc-endpoint-policy <vpce-id=file>', 'VPC endpoint policy of a simulated endpoint (repeatable; default: full access)', vpcEndpointPolicy, new Map<string, string>())
  .option('--quiet', 'print only the banner, not each set-up step')
  .addOption(new Option('--clock-offset <duration>', 'run the key lifecycle clock this far ahead (90d, 8h, 30m); SigV4 keeps the real clock')
    .env('KMS_CLOCK_OFFSET').argParser(duration))
  .parse();

const options = program.opts<CliOptions>();
if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
  fail('Give both --access-key-id and --secret-access-key (or KMS_ACCESS_KEY_ID and KMS_SECRET_ACCESS_KEY), or neither.');
}

const accountIdGiven = program.getOptionValueSource('accountId') !== 'default';
if (options.accounts !== undefined && accountIdGiven && options.accounts[0] !== options.accountId) {
  fail(`--accounts starts with ${options.accounts[0] ?? ''}, the folder's own account, but --account-id is ${options.accountId}; list it first or leave out --account-id.`);
}

const service = await startLocalService({
  port: options.port,
  host: options.host,
  dataDir: options.dataDir,
  // Only an account ID the user asked for is checked against an existing folder.
  accountId: accountIdGiven ? options.accountId : undefined,
  ...(options.accounts === undefined ? {} : { accounts: options.accounts }),
  ...(options.accessKeyId !== undefined && options.secretAccessKey !== undefined
    ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
    : {}),
  ...(options.seed === undefined ? {} : { seedPath: options.seed }),
  seedRegion: options.seedRegion,
  auditLog: { maxBytes: options.auditLogMaxSize, keep: options.auditLogKeep },
  cacheKeys: options.cacheKeys,
  vpcEndpoints: options.vpcEndpoint,
  vpcEndpointPolicyFiles: options.vpcEndpointPolicy,
  ...(options.clockOffset === undefined ? {} : { clockOffsetMs: parseDuration(options.clockOffset) ?? 0 }),
  ...(options.quiet === true ? {} : { onStep: (step) => process.stderr.write(`${formatStep(step)}\n`) }),
}).catch((error: unknown) => fail(`Could not start the local KMS service: ${error instanceof Error ? error.message : String(error)}`));
process.stdout.write(banner(service));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void service.stop().then(() => process.exit(0));
  });
}

function banner(started: LocalService): string {
  const { endpoint, networkEndpoint, credentials } = started;
  const everyInterface = networkEndpoint !== endpoint ? ` (every interface; ${endpoint} on this machine)` : '';
  const lines = [
    `KMS endpoint:  ${networkEndpoint}${everyInterface}`,
    `Account:       ${credentials.accountId}`,
    `Credentials:   ${credentials.path} (profile default${started.accounts.length > 1 ? `; ${started.accounts.map((account) => `acct-${account.accountId}`).join(', ')}` : ''})`,
    ...(started.accounts.length > 1 ? [`Accounts:      ${started.accounts.map((account) => account.accountId).join(', ')}`] : []),
    `Health:        ${endpoint}/health`,
    ...[...started.vpcEndpoints].map(([id, url]) => `VPC endpoint:  ${url} (${id})`),
    `Audit log:     ${started.dataDir}/audit.log`,
    `Try: AWS_SHARED_CREDENTIALS_FILE=${credentials.path} aws kms create-key --endpoint-url ${endpoint} --region us-east-1`,
  ];
  if (options.clockOffset !== undefined) {
    lines.push(`Clock offset:  ${options.clockOffset} (creation, deletion, rotation and expiry dates run ahead; SigV4 uses the real clock)`);
  }
  if (process.env['AWS_ACCESS_KEY_ID'] !== undefined) {
    lines.push('Note: AWS_ACCESS_KEY_ID is set in this environment; clients started from it use it instead of the credentials file.');
  }
  return `${lines.join('\n')}\n`;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
