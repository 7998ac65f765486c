/** `npm start`: runs the local KMS service until interrupted. */
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_ACCOUNT_ID, DEFAULT_HOST, DEFAULT_PORT, startLocalService } from './local-service.js';

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('not a port number');
  return parsed;
}

function accountId(value: string): string {
  if (!/^\d{12}$/.test(value)) throw new InvalidArgumentError('an account ID is 12 digits');
  return value;
}

const program = new Command('kms-local')
  .description('Self-hosted AWS KMS-compatible service, local mode')
  .option('--port <port>', 'port to listen on', port, DEFAULT_PORT)
  .option('--host <host>', 'address to listen on', DEFAULT_HOST)
  .option('--data-dir <dir>', 'folder for the token, the database, credentials and the audit log', '.kms-data')
  .option('--account-id <id>', 'AWS account ID of the local account (used on first start)', accountId, DEFAULT_ACCOUNT_ID)
  .parse();

const options = program.opts<{ port: number; host: string; dataDir: string; accountId: string }>();
const service = await startLocalService(options).catch((error: unknown) => {
  process.stderr.write(`Could not start the local KMS service: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
process.stdout.write(
  `KMS endpoint:  ${service.endpoint}\n`
  + `Account:       ${service.credentials.accountId}\n`
  + `Credentials:   ${service.credentials.path} (profile default)\n`
  + `Audit log:     ${service.dataDir}/audit.log\n`
  + `Try: AWS_SHARED_CREDENTIALS_FILE=${service.credentials.path} aws kms create-key --endpoint-url ${service.endpoint} --region us-east-1\n`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void service.stop().then(() => process.exit(0));
  });
}
