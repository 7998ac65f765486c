/**
 * Builds the Java side of the private database (`java/PrivateDynamoDbLocal.java`) once, with the
 * compiler module that Debian's Java runtime (`default-jre-headless`) ships, so no JDK is needed.
 * The class lands in `.build/java/<hash of the source>/`: a changed source gets a new folder, and
 * concurrent first starts each compile into a staging folder and the first rename wins.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './repo-root.js';

const run = promisify(execFile);
const SOURCE = join(REPO_ROOT, 'src', 'local', 'java', 'PrivateDynamoDbLocal.java');
const BUILD_DIR = join(REPO_ROOT, '.build', 'java');
const CLASS_FILE = 'PrivateDynamoDbLocal.class';

/** Returns the folder holding the compiled bridge class, compiling it first if needed. */
export async function ensureBridgeClass(): Promise<string> {
  const source = await readFile(SOURCE);
  const classDir = join(BUILD_DIR, createHash('sha256').update(source).digest('hex').slice(0, 16));
  if (await exists(join(classDir, CLASS_FILE))) return classDir;
  await mkdir(BUILD_DIR, { recursive: true });
  const staging = await mkdtemp(join(BUILD_DIR, 'staging-'));
  try {
    await compile(staging);
    await rename(staging, classDir).catch(async (error: unknown) => {
      // Another process finished first; its class is the same.
      if (!(await exists(join(classDir, CLASS_FILE)))) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return classDir;
}

async function compile(outDir: string): Promise<void> {
  try {
    await run('java', ['-m', 'jdk.compiler/com.sun.tools.javac.Main', '--release', '17', '-Xlint:all', '-d', outDir, SOURCE]);
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT') {
      throw new Error('DynamoDB Local needs a Java runtime (17 or later) but `java` was not found on PATH. Install one, e.g. `apt-get install default-jre-headless`.', { cause: error });
    }
    throw new Error(
      `Could not compile ${SOURCE} with the Java runtime's compiler module (jdk.compiler); a Java 17+ runtime that includes it is needed ` +
        `(Debian's default-jre-headless does):\n${stderr ?? ''}`,
      { cause: error },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
