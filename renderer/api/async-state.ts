import type { IpcError } from '../../main/contract/index.js';

/** Async state as an explicit union (house-style H17). */
export type AsyncState<T> =
  | { readonly status: 'idle' }
  | { readonly status: 'loading'; readonly data?: T }
  | { readonly status: 'ready'; readonly data: T }
  | { readonly status: 'saving'; readonly data: T }
  | { readonly status: 'error'; readonly error: IpcError; readonly data?: T };

/** A one-line description of an error for the UI: `PreconditionFailed (412): …`. */
export function describeError(error: IpcError): string {
  return `${error.code}${error.httpStatus ? ` (${error.httpStatus})` : ''}: ${error.message}`;
}
