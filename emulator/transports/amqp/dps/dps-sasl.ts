import type { Connection, Container } from 'rhea';

import type { RegistrationAuthResult, RegistrationService } from '../../../provisioning/registration-service.js';
import { parseDpsLinkAddress, type DpsLinkAddress } from './dps-link-address.js';

// SASL PLAIN for the provisioning service over AMQP (iothub-protocol-2.md §2.4): the Node DPS transport sends the
// username `<idScope>/registrations/<registrationId>` and the registration SAS token as the password. The token is
// verified here and the outcome kept for the links; SASL itself succeeds for every DPS username, and a bad token is
// answered on the first request with `amqp:unauthorized-access` (401), as DPS over MQTT accepts CONNECT and answers
// 401 (checklist 115). A failed SASL would reach the Node client as a bare NotConnectedError. Any other PLAIN
// username is refused (the hub's own clients use CBS).

/** One SASL PLAIN exchange; rhea calls `start` with the client's initial response. */
class DpsPlainServer {
  outcome: boolean | undefined = undefined;
  username: string | undefined = undefined;
  /** The registration the username named and how its token fared (read at link attach, {@link dpsSaslAuthOf}). */
  dps: { readonly address: DpsLinkAddress; readonly auth: RegistrationAuthResult } | undefined;

  constructor(private readonly registrations: Pick<RegistrationService, 'authenticate'>) {}

  start(response: Buffer | undefined): void {
    // `[authzid] NUL username NUL password` (RFC 4616).
    const fields = (response ?? Buffer.alloc(0)).toString('utf8').split('\0');
    const username = fields.length === 3 ? fields[1] : undefined;
    const password = fields.length === 3 ? fields[2] : undefined;
    const address = parseDpsLinkAddress(username);
    if (!address || password === undefined) {
      this.outcome = false;
      return;
    }
    this.dps = { address, auth: this.registrations.authenticate(address.idScope, address.registrationId, password) };
    this.outcome = true;
    this.username = username;
  }
}

/** Offers SASL ANONYMOUS (the hub's clients, then CBS) and PLAIN for DPS registrations on this container. */
export function enableDpsSasl(container: Container, registrations: Pick<RegistrationService, 'authenticate'>): void {
  const mechanisms = container.sasl_server_mechanisms as unknown as Record<string, () => object> & { enable_anonymous(): void };
  mechanisms.enable_anonymous();
  mechanisms.PLAIN = () => new DpsPlainServer(registrations);
}

/**
 * The DPS registration a connection authenticated with SASL PLAIN, if any. rhea keeps the server's SASL exchange on
 * the connection (`sasl_transport`, inside its selective transport when ANONYMOUS or no SASL is allowed); this is the
 * one place that reads it.
 */
export function dpsSaslAuthOf(connection: Connection): DpsPlainServer['dps'] {
  const transport = (connection as unknown as { sasl_transport?: { mechanism?: unknown; transports?: Record<number, { mechanism?: unknown }> } }).sasl_transport;
  const mechanism = transport?.mechanism ?? transport?.transports?.[3]?.mechanism;
  return mechanism instanceof DpsPlainServer ? mechanism.dps : undefined;
}
