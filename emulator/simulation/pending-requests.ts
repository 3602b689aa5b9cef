/** What a twin request resolves with. */
export interface TwinAnswer {
  readonly status: number;
  readonly payload: Buffer;
  /** `$version` from the response topic (reported PATCH). */
  readonly version?: number;
}

interface Pending {
  readonly resolve: (answer: TwinAnswer) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Twin requests waiting for `$iothub/twin/res/<status>/?$rid=<rid>`. A status of 300 or more rejects with the body's
 * `message` (iothub-protocol.md §4.5); a request without an answer rejects after the timeout.
 */
export class PendingRequests {
  private readonly waiting = new Map<string, Pending>();

  constructor(private readonly timeoutMs: number) {}

  /** Number of requests in flight. */
  get size(): number {
    return this.waiting.size;
  }

  /** Registers `rid` and returns the promise of its answer. */
  add(rid: string): Promise<TwinAnswer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.reject(rid, new Error(`no answer to twin request ${rid} within ${this.timeoutMs} ms`)), this.timeoutMs);
      timer.unref();
      this.waiting.set(rid, { resolve, reject, timer });
    });
  }

  /** Delivers an answer; unknown `$rid` values (late or foreign) are ignored. */
  settle(rid: string, status: number, payload: Buffer, version?: number): void {
    const pending = this.take(rid);
    if (!pending) return;
    if (status >= 300) pending.reject(new TwinRequestError(status, errorMessage(status, payload)));
    else pending.resolve(version === undefined ? { status, payload } : { status, payload, version });
  }

  reject(rid: string, error: Error): void {
    this.take(rid)?.reject(error);
  }

  rejectAll(error: Error): void {
    for (const rid of [...this.waiting.keys()]) this.reject(rid, error);
  }

  private take(rid: string): Pending | undefined {
    const pending = this.waiting.get(rid);
    if (!pending) return undefined;
    this.waiting.delete(rid);
    clearTimeout(pending.timer);
    return pending;
  }
}

/** A twin request the hub answered with an error status. */
export class TwinRequestError extends Error {
  override readonly name = 'TwinRequestError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function errorMessage(status: number, payload: Buffer): string {
  try {
    const body = JSON.parse(payload.toString('utf8')) as { message?: unknown; errorCode?: unknown };
    if (typeof body.message === 'string') return `${status} ${String(body.errorCode ?? '')}: ${body.message}`.replace(' : ', ': ');
  } catch {
    /* not JSON: fall through */
  }
  return `twin request failed with status ${status}`;
}
