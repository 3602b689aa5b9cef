import { methodsOf } from '../capabilities.js';
import type { NamespaceHandlers } from '../handler-types.js';
import { StudioError } from '../studio-error.js';

/** `methods.*`: direct methods, through the hub's method service (iothub-protocol.md §5). */
export const methodHandlers: NamespaceHandlers<'methods'> = {
  'methods.invoke': async (req, { host }) => {
    const methods = methodsOf(host.requireRunning());
    if (!methods) throw new StudioError('NotSupported', 'Direct methods are not available in this version of the hub.');
    return methods.invoke({ ...req, connectTimeoutInSeconds: req.connectTimeoutInSeconds ?? 0 });
  },
};
