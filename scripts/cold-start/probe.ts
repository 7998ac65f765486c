/**
 * What a fresh `node` runs for one cold start, in place of the Lambda runtime: it imports one
 * function's bundle (its top-level code opens the token and reads its secrets, as at a Lambda
 * init), gives its handler one event, and writes on file descriptor 3 when each step ended (epoch
 * milliseconds, the clock the parent shares) with the handler's answer. Built on its own by
 * esbuild, so nothing of it is in the measured bundle.
 *
 * Usage: node probe.mjs <bundle> <event.json>
 */
import { readFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { ProbeReport } from './probe-report.js';

const RESULT_FD = 3;
const now = (): number => performance.timeOrigin + performance.now();
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** The members of Lambda's context object the handlers read. */
function lambdaContext(requestId: string) {
  const deadline = Date.now() + 25_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env['AWS_LAMBDA_FUNCTION_NAME'] ?? 'cold-start',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env['AWS_REGION'] ?? 'us-east-1'}:000000000000:function:cold-start`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: 'cold-start',
    logStreamName: 'cold-start',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function main(): Promise<ProbeReport> {
  const started = now();
  const cpuStarted = cpuMs();
  const [bundle, eventFile] = process.argv.slice(2);
  if (bundle === undefined || eventFile === undefined) throw new Error('usage: probe.mjs <bundle> <event.json>');
  const event: unknown = JSON.parse(readFileSync(eventFile, 'utf8'));
  const loaded = (await import(pathToFileURL(bundle).href)) as { handler?: Handler };
  const imported = now();
  const cpuImported = cpuMs();
  if (typeof loaded.handler !== 'function') throw new Error(`${bundle} exports no handler`);
  const answer = await loaded.handler(event, lambdaContext(`cold-start-${process.pid}`));
  const answered = now();
  return { processStart: performance.timeOrigin, started, imported, answered, cpu: { started: cpuStarted, imported: cpuImported, answered: cpuMs() }, answer };
}

try {
  writeSync(RESULT_FD, JSON.stringify(await main()));
  process.exit(0);
} catch (error) {
  writeSync(RESULT_FD, JSON.stringify({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
  process.exit(1);
}
