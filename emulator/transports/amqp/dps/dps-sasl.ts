import type { Connection } from 'rhea';

import type { RegistrationAuthResult } from '../../../provisioning/registration-service.js';
import { plainIdentityOf } from '../sasl-plain.js';
import type { PlainIdentity } from '../plain-identity.js';
import type { DpsLinkAddress } from './dps-link-address.js';

// SASL PLAIN for the provisioning service over AMQP (iothub-protocol-2.md §2.4): the Node DPS transport sends the
// username `<idScope>/registrations/<registrationId>` and the registration SAS token as the password. The hub's one
// PLAIN mechanism (sasl-plain.ts) verifies it with the others (plain-identity.ts) and keeps the verdict for the links.

/** The DPS registration a connection logged in as with SASL PLAIN, and how its token fared; undefined otherwise. */
export function dpsSaslAuthOf(connection: Connection): { readonly address: DpsLinkAddress; readonly auth: RegistrationAuthResult } | undefined {
  const identity = plainIdentityOf<PlainIdentity>(connection);
  return identity?.kind === 'dps' ? { address: identity.address, auth: identity.auth } : undefined;
}
