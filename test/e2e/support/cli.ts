/**
 * Local mode as a user starts it: `scripts/start.sh` (what `npm start` runs) in a child process,
 * its output captured, and stock clients for the endpoint its banner prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KMSClient } from '@aws-sdk/client-kms';
import { REGION } from './local-service.js';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CLI_START_TIMEOUT_MS = 120_000;

/** The environment of a started CLI: none of the caller's AWS variables. */
function cliEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('KMS_')));
  return { ...env, ...extra };
}

export interface StartedCli {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The first address the banner prints. */
  readonly endpoint: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** How the process ended, once it has. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<void>;
}

export interface CliExit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Starts the CLI with `args` and waits for its banner. */
export function startCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<StartedCli> {
  const child = spawn('bash', ['scripts/start.sh', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: cliEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The CLI printed no endpoint within ${CLI_START_TIMEOUT_MS} ms.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, CLI_START_TIMEOUT_MS);
    child.stdout.on('data', () => {
      const endpoint = /KMS endpoint:\s+(http:\/\/\S+)/.exec(stdout)?.[1];
      if (endpoint === undefined) return;
      clearTimeout(timer);
      resolve({ child, pid: child.pid ?? 0, endpoint, stdout: () => stdout, stderr: () => stderr, exited, stop });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The CLI exited (${code ?? signal}) before printing its endpoint.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });
}

/** Runs the CLI until it exits on its own (a start that must fail). */
export function runCliToExit(args: readonly string[], env: Readonly<Record<string, string>> = {}, timeoutMs = 60_000): Promise<CliExit> {
  const started = performance.now();
  const child = spawn('bash', ['scripts/start.sh', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: cliEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

export async function credentialsIn(dataDir: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const text = await readFile(join(dataDir, 'credentials'), 'utf8');
  const accessKeyId = /aws_access_key_id\s*=\s*(\S+)/.exec(text)?.[1];
  const secretAccessKey = /aws_secret_access_key\s*=\s*(\S+)/.exec(text)?.[1];
  if (accessKeyId === undefined || secretAccessKey === undefined) throw new Error(`No credentials in ${text}`);
  return { accessKeyId, secretAccessKey };
}

/** A stock KMS client for a started CLI, signed with its data folder's credentials unless given others. */
export async function kmsClientFor(cli: StartedCli, dataDir: string, credentials?: { accessKeyId: string; secretAccessKey: string }): Promise<KMSClient> {
  return new KMSClient({ endpoint: cli.endpoint, region: REGION, credentials: credentials ?? (await credentialsIn(dataDir)), maxAttempts: 1 });
}
