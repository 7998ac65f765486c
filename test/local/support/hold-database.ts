/**
 * A process that takes a lease on the database of the data folder given as its argument, prints
 * the JVM's PID, and holds the lease until it is killed (never releasing it).
 */
import { startDynamoDbLocal } from '../../../src/local/dynamodb-local.js';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: hold-database.ts <data folder>');
const database = await startDynamoDbLocal({ dataDir });
process.stdout.write(`${database.pid}\n`);
setInterval(() => undefined, 60_000);
