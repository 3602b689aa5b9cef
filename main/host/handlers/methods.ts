import type { NamespaceHandlers } from '../handler-types.js';

/** `methods.*`: direct methods through the hub's method service, the path of `POST /twins/{id}/methods` (§5). */
export const methodHandlers: NamespaceHandlers<'methods'> = {
  'methods.invoke': async (req, { host }) =>
    host.requireRunning().methods.invokeFromStudio({ ...req, connectTimeoutInSeconds: req.connectTimeoutInSeconds ?? 0 }),
};
