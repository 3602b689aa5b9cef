import type { StudioErrorCode } from '../contract/errors.js';

/** An error the studio raises itself (hub errors stay IotHubError); `dispatch` turns it into an envelope. */
export class StudioError extends Error {
  constructor(
    readonly code: StudioErrorCode,
    message: string,
    readonly details?: { readonly [key: string]: unknown },
  ) {
    super(message);
    this.name = 'StudioError';
  }
}
