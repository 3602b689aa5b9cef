import type { AuthenticateError } from 'aedes';

import type { Logger } from '../../logger.js';

// Nothing may throw out of an aedes hook or broker event listener: aedes calls them from its own callbacks, so a
// throw there ends the whole process (one bad record made a retrying device a crash loop, issue 11). Each hook runs
// inside `guard`; a throw is logged as a bug (house-style H9: any other thrown value is a bug) and the hook answers
// with its refusal instead.

/**
 * Runs `work`; when it throws, logs the error as a bug of `hook` for `clientId` and returns `fallback()` instead.
 */
export function guard<T>(logger: Logger, hook: string, clientId: string | undefined, work: () => T, fallback: () => T): T {
  try {
    return work();
  } catch (error) {
    logger.error(`bug: aedes ${hook} hook threw, refused instead: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, clientId);
    return fallback();
  }
}

/**
 * The refusal a failed `authenticate` answers with: CONNACK 5 (not authorized). Not 3 (server unavailable): the
 * SDKs retry 3 at once and forever (iothub-protocol.md §3.2), and a bug does not go away by retrying.
 */
export function internalRefusal(): AuthenticateError {
  return Object.assign(new Error('internal error while authenticating (logged)'), { returnCode: 5 }) as AuthenticateError;
}
