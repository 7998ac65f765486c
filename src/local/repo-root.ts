/** Where local mode finds its own files, from the sources (`src/local/`) and from the bundle (`.build/local/`) alike. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: two levels above both `src/local/` and `.build/local/`. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

let version: string | undefined;

/** The service's version, from `package.json`. */
export function serviceVersion(): string {
  version ??= (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
