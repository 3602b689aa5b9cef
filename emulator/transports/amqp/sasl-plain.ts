import type { Connection, Container } from 'rhea';

/**
 * SASL PLAIN on the hub's AMQP listener (iothub-protocol-2.md §3.1, §5.3). Clients that use it name who they are in
 * the username — `<policy>@sas.root.<hub>` (a service policy, e.g. the IoT Hub → Event Hubs redirect), and the
 * password is a SAS token. The Node device and service SDKs skip SASL or use ANONYMOUS, so ANONYMOUS stays offered
 * and SASL stays optional (rhea's selective server): nothing changes for them.
 *
 * A mechanism instance lives for one connection's SASL exchange; `verify` decides from the credentials and returns
 * what the connection is then allowed to be (`PlainIdentity`), which {@link plainIdentityOf} reads back once the
 * connection is open. A refused `verify` ends the exchange with SASL outcome `auth` and the connection closes.
 */
export type PlainVerifier<Identity> = (credentials: PlainCredentials) => Identity | undefined;

export interface PlainCredentials {
  readonly username: string;
  readonly password: string;
  /** The hostname of the client's sasl-init (its SNI name for TLS clients), when it sent one. */
  readonly hostname: string | undefined;
}

/** The server side of one PLAIN exchange; rhea calls `start` with the client's initial response. */
class HubPlainMechanism<Identity> {
  outcome: boolean | undefined = undefined;
  username: string | undefined = undefined;
  identity: Identity | undefined = undefined;

  constructor(private readonly verify: PlainVerifier<Identity>) {}

  start(response: Buffer | undefined, hostname: unknown): void {
    const credentials = parsePlainResponse(response, typeof hostname === 'string' && hostname !== '' ? hostname : undefined);
    const identity = credentials ? this.verify(credentials) : undefined;
    this.outcome = identity !== undefined;
    if (identity !== undefined && credentials) {
      this.identity = identity;
      this.username = credentials.username;
    }
  }
}

/** Offers ANONYMOUS (as before) and PLAIN checked by `verify` on every connection the container accepts. */
export function enablePlainSasl<Identity>(container: Container, verify: PlainVerifier<Identity>): void {
  const mechanisms = container.sasl_server_mechanisms as { enable_anonymous(): void } & Record<string, unknown>;
  mechanisms.enable_anonymous();
  mechanisms.PLAIN = () => new HubPlainMechanism(verify);
}

/**
 * What PLAIN established for an open connection, or undefined when it used ANONYMOUS or no SASL at all. rhea keeps
 * the finished exchange on the connection's SASL transport (a selective server wrapping the SASL server); this is the
 * one place that reads it, and only an instance of our own mechanism counts, so a client cannot claim an identity
 * through ANONYMOUS's free-text name.
 */
export function plainIdentityOf<Identity>(connection: Connection): Identity | undefined {
  const transport = (connection as unknown as { sasl_transport?: SaslTransportView }).sasl_transport;
  const server = transport?.selected ?? transport;
  const mechanism = server?.mechanism;
  return mechanism instanceof HubPlainMechanism && mechanism.outcome === true ? (mechanism.identity as Identity) : undefined;
}

interface SaslTransportView {
  readonly selected?: SaslTransportView;
  readonly mechanism?: unknown;
}

/** `[authzid] NUL authcid NUL password` (RFC 4616); undefined when malformed or a field is empty. */
function parsePlainResponse(response: Buffer | undefined, hostname: string | undefined): PlainCredentials | undefined {
  if (!response) return undefined;
  const first = response.indexOf(0);
  const second = first < 0 ? -1 : response.indexOf(0, first + 1);
  if (first < 0 || second < 0 || response.indexOf(0, second + 1) >= 0) return undefined;
  const username = response.toString('utf8', first + 1, second);
  const password = response.toString('utf8', second + 1);
  if (username === '' || password === '') return undefined;
  return { username, password, hostname };
}
