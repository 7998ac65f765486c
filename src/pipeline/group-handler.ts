/** A group function: runs one already-authenticated, already-validated request. */
import middy from '@middy/core';
import { groupOf, type ApiGroup } from '../core/kms/api-groups.js';
import type { CoreDeps } from '../core/kms/service.js';
import { TouchedResources } from '../core/kms/service.js';
import type { GroupRequest, GroupResponse } from './group-protocol.js';
import type { Logger } from './logger.js';
import { asKmsError } from './middleware/aws-json-errors.js';
import { runEncodedOperation } from './run-operation.js';

export function createGroupHandler(deps: { readonly group: ApiGroup; readonly core: CoreDeps; readonly logger: Logger }) {
  return middy<GroupRequest, GroupResponse>().handler(async (request) => {
    const touched = new TouchedResources();
    try {
      /* Precondition: a group function runs only its own group's operations (least privilege). */
      if (groupOf(request.operation) !== deps.group) throw new Error(`${request.operation} is not in group ${deps.group}`);
      const body = await runEncodedOperation(deps.core, request.operation, request.body, request.context, touched);
      return { ok: true, body, touched: touched.list() };
    } catch (error) {
      const kmsError = asKmsError(error, deps.logger, request.context.requestId);
      return { ok: false, errorName: kmsError.name, message: kmsError.message, touched: touched.list() };
    }
  });
}
