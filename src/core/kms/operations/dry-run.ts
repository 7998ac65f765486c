import { DryRunOperationException } from '../../../models/kms/generated/errors.js';
import { say } from '../messages.js';

/** Called once every check has passed: a dry run stops here with AWS's DryRunOperationException. */
export function assertNotDryRun(dryRun: boolean | undefined): void {
  if (dryRun === true) throw new DryRunOperationException(say('dryRun'));
}
