/** `npm start`'s script as a child process, for the scripts that measure a running local service. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface StartedService {
  readonly child: ChildProcess;
  readonly endpoint: string;
  /** The root credentials the start wrote to `<data-dir>/credentials`. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Runs `scripts/start.sh` on `dataDir` (any port, quiet, `extraArgs`) and waits for its banner. */
export async function startService(dataDir: string, timeoutMs: number, extraArgs: readonly string[] = []): Promise<StartedService> {
  const child = spawn('bash', ['scripts/start.sh', '--port', '0', '--data-dir', dataDir, '--quiet', ...extraArgs], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No banner within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /KMS endpoint:\s+(http:\/\/\S+)/.exec(output)?.[1];
      if (found !== undefined) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => reject(new Error(`start.sh exited (${code}):\n${output}`)));
  });
  const text = await readFile(join(dataDir, 'credentials'), 'utf8');
  return {
    child,
    endpoint,
    credentials: {
      accessKeyId: /aws_access_key_id\s*=\s*(\S+)/.exec(text)?.[1] ?? '',
      secretAccessKey: /aws_secret_access_key\s*=\s*(\S+)/.exec(text)?.[1] ?? '',
    },
  };
}

/** Stops the service with SIGTERM and waits for it to exit. */
export async function stopService(service: StartedService): Promise<void> {
  const exited = new Promise((resolve) => service.child.once('exit', resolve));
  service.child.kill('SIGTERM');
  await exited;
}
