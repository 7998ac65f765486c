/**
 * `npm run cold-start [-- --rounds 5] [--cpu-prof <dir>] [--inputs] [--json <file>]`
 *
 * Builds every function's bundle with the CDK construct's esbuild settings, starts the parts a
 * deployed function reaches (a SoftHSM token, DynamoDB Local with the service's table, the stack's
 * secrets), and runs each bundle in a fresh `node` process that imports it and answers one real
 * request: the first-credential function makes the root's access key, the keys function creates a
 * key, every other function answers a request of its own, then the front answers an Encrypt signed
 * by the stock SDK in `--rounds` fresh processes. Every answer is checked. Prints the front's
 * phases (median, min, max), each bundle's size and the machine.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { machineFacts } from './bench/machine.js';
import { buildBundles, nativeModulesBytes, type BuiltBundle } from './cold-start/build-bundles.js';
import {
  createKeyRequest, createdKeyArn, firstCredentialRequest, frontRequest, otherGroupRequests, verifyRecordsRequest, type FirstRequest,
} from './cold-start/first-requests.js';
import { startLocalParts, type LocalParts } from './cold-start/local-parts.js';
import { parseRootCredential } from '../src/adapters/secrets/credential-secret.js';
import { formatBytes, functionTable, machineLine, phaseSpreads, phaseTable, type FunctionRow } from './cold-start/report.js';
import { runProbe, type ColdStart } from './cold-start/run-probe.js';

/** The budget for the front: loaded and answering its first request. */
const BUDGET_MS = 300;
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'cpu-prof': { type: 'string' },
    inputs: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const rounds = Number(args.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${args.rounds} is not a positive whole number`);

/** Builds the probe on its own, so nothing of it is in a measured bundle. */
async function buildProbe(workDir: string): Promise<string> {
  const outfile = path.join(workDir, 'probe.mjs');
  await build({ entryPoints: [path.join(PROJECT_ROOT, 'scripts/cold-start/probe.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning' });
  return outfile;
}

interface Runner {
  (bundle: BuiltBundle, request: FirstRequest, cpuProfileDir?: string): Promise<ColdStart>;
}

function runnerFor(parts: LocalParts, probe: string, workDir: string): Runner {
  return async (bundle, request, cpuProfileDir) => {
    const result = await runProbe({
      probe, bundle: bundle.file, event: await request.event(), env: parts.functionEnvironment(bundle.name), workDir,
      logs: [parts.secrets.log, parts.table.log], ...(cpuProfileDir === undefined ? {} : { cpuProfileDir }),
    });
    request.check(result.answer);
    return result;
  };
}

function bundleNamed(bundles: readonly BuiltBundle[], name: string): BuiltBundle {
  const bundle = bundles.find((candidate) => candidate.name === name);
  if (bundle === undefined) throw new Error(`no ${name} function was built`);
  return bundle;
}

async function main(): Promise<void> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'kms-cold-start-'));
  let parts: LocalParts | undefined;
  try {
    process.stdout.write('Building the functions with the construct\'s bundling settings…\n');
    const bundles = await buildBundles(PROJECT_ROOT, path.join(workDir, 'bundles'));
    const native = await nativeModulesBytes(PROJECT_ROOT);
    const probe = await buildProbe(workDir);
    process.stdout.write('Starting SoftHSM, DynamoDB Local and the secrets…\n');
    parts = await startLocalParts(workDir);
    const run = runnerFor(parts, probe, workDir);
    const once = new Map<string, { coldStart: ColdStart; request: string }>();

    // The deployment's own order: the first credential at deploy time, then a key, then the rest.
    once.set('first-credential', { coldStart: await run(bundleNamed(bundles, 'first-credential'), firstCredentialRequest), request: firstCredentialRequest.description });
    const credentials = parseRootCredential(parts.firstCredential());
    if (credentials === undefined) throw new Error('the first-credential function left no credential in its secret');
    const createKey = createKeyRequest({ credentials, groupRequestKey: parts.groupRequestKey });
    const created = await run(bundleNamed(bundles, 'keys'), createKey);
    once.set('keys', { coldStart: created, request: createKey.description });
    const seeded = { credentials, keyArn: createdKeyArn(created.answer), groupRequestKey: parts.groupRequestKey };
    for (const [name, request] of Object.entries(otherGroupRequests(seeded))) {
      once.set(name, { coldStart: await run(bundleNamed(bundles, name), request), request: request.description });
    }

    const front = frontRequest(seeded);
    const frontRounds: ColdStart[] = [];
    if (args['cpu-prof'] !== undefined) await mkdir(args['cpu-prof'], { recursive: true });
    for (let round = 0; round < rounds; round += 1) frontRounds.push(await run(bundleNamed(bundles, 'front'), front, args['cpu-prof']));
    // Last: the daily check reads every record the others wrote.
    once.set('lifecycle', { coldStart: await run(bundleNamed(bundles, 'lifecycle'), verifyRecordsRequest), request: verifyRecordsRequest.description });

    const machine = machineFacts();
    const spreads = phaseSpreads(frontRounds);
    const [first] = frontRounds;
    const lines = [
      '',
      `Front function, ${rounds} fresh processes, each answering one ${front.description} with HTTP 200:`,
      '',
      ...phaseTable(frontRounds),
      '',
      `Requests of the front's init: ${first?.initRequests.join(', ') ?? ''}; of its first invocation: ${first?.invocationRequests.join(', ') || 'none'}.`,
      `Budget ${BUDGET_MS} ms from spawn to first answer: ${spreads.totalMs.median <= BUDGET_MS ? 'met' : 'NOT met'} (median ${spreads.totalMs.median.toFixed(0)} ms).`,
      '',
      'Every function, one fresh process each (the front\'s row is its first round):',
      '',
      ...functionTable(bundles.map((bundle): FunctionRow => {
        const measured = bundle.name === 'front' ? (first === undefined ? undefined : { coldStart: first, request: front.description }) : once.get(bundle.name);
        return { name: bundle.name, bundleBytes: bundle.bundleBytes, sourceMapBytes: bundle.sourceMapBytes, ...measured };
      })),
      '',
      `Native modules beside every bundle (node_modules: ${native.packages.join(', ')}): ${formatBytes(native.bytes)}.`,
      ...(args.inputs ? ['', 'Largest inputs of each bundle:', ...bundles.map((bundle) => `  ${bundle.name}: ${bundle.largestInputs.map(({ input, bytes }) => `${input} ${formatBytes(bytes)}`).join(', ')}`)] : []),
      '',
      `Machine: ${machineLine(machine)}.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (args.json !== undefined) {
      await writeFile(args.json, JSON.stringify({
        date: new Date().toISOString(), machine, budgetMs: BUDGET_MS, front: { request: front.description, rounds: frontRounds, spreads },
        functions: bundles.map(({ largestInputs, file: _file, ...bundle }) => ({ ...bundle, largestInputs, ...once.get(bundle.name) })),
        nativeModules: native,
      }, null, 2));
    }
  } finally {
    await parts?.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

await main();
