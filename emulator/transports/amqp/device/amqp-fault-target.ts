import type { Connection, Receiver, Sender } from 'rhea';

import type { ConnectionFault, FaultHit, FaultTarget } from '../../../faults/fault-target.js';
import type { Logger } from '../../../logger.js';
import type { IdentityLinks } from './identity-links.js';
import type { DeviceLinkKind } from './link-address.js';

/** The CBS node every AMQP client puts its tokens on. */
const CBS = '$cbs';

/** What the fault target needs from the device endpoint: the live identities and the kind of each link. */
export interface AmqpFaultView {
  identitiesOf(deviceId: string | undefined): IdentityLinks[];
  kindOf(link: Sender | Receiver): DeviceLinkKind | undefined;
}

/**
 * The AMQP device endpoint's side of the fault engine (emulator/faults/, iothub-protocol-2.md §10.3): what each of the
 * SDKs' AMQP faults does to the connection of a device. Link names follow the device's view: a "Req" link carries
 * what the device sends (our receiver), a "Resp" link what it receives (our sender), and the method "Req" link carries
 * the hub's requests to the device (our sender). `KillTcp`/`drop` destroy the socket, `ShutDownAmqp` closes the
 * connection without error, `KillAmqpConnection` with `amqp:connection:forced`, `KillAmqpSession` ends the sessions
 * of the identity's links, a link fault detaches that link with `amqp:link:detach-forced`.
 */
export class AmqpFaultTarget implements FaultTarget {
  constructor(
    private readonly view: AmqpFaultView,
    private readonly logger: Logger,
  ) {}

  applyConnectionFault(deviceId: string | undefined, fault: ConnectionFault, reason: string): FaultHit[] {
    if (fault === 'ShutDownMqtt') return [];
    const hits: FaultHit[] = [];
    const done = new Set<Connection>();
    for (const identity of this.view.identitiesOf(deviceId)) {
      // Connection-wide faults act once per connection, even when it carries a device and its modules.
      const wholeConnection = fault === 'KillTcp' || fault === 'drop' || fault === 'KillAmqpConnection' || fault === 'ShutDownAmqp' || fault === 'expireToken';
      if (wholeConnection && done.has(identity.connection)) continue;
      done.add(identity.connection);
      const effect = this.act(identity, fault, reason);
      if (effect === undefined) continue;
      const { deviceId: id, moduleId } = identity.address;
      hits.push({ deviceId: id, ...(moduleId === undefined ? {} : { moduleId }), protocol: 'amqp', effect });
    }
    return hits;
  }

  private act(identity: IdentityLinks, fault: ConnectionFault, reason: string): string | undefined {
    const { connection } = identity;
    this.logger.info(`injected fault ${fault} on the AMQP connection of '${identity.address.deviceId}': ${reason}`);
    switch (fault) {
      case 'KillTcp':
      case 'drop': {
        const socket = (connection as unknown as { socket?: { destroy?: (error?: Error) => void } }).socket;
        if (typeof socket?.destroy === 'function') {
          // With an error: rhea learns of a dead socket from its 'error' event (it does not listen for 'close').
          socket.destroy(new Error(reason));
          return 'socket destroyed';
        }
        connection.close({ condition: 'amqp:connection:forced', description: reason });
        return 'connection closed (amqp:connection:forced)';
      }
      case 'KillAmqpConnection':
        connection.close({ condition: 'amqp:connection:forced', description: reason });
        return 'connection closed (amqp:connection:forced)';
      case 'ShutDownAmqp':
        connection.close();
        return 'connection closed';
      case 'expireToken':
        connection.close({ condition: 'amqp:unauthorized-access', description: `The SAS token for '${identity.address.deviceId}' has expired (${reason}).` });
        return 'connection closed (amqp:unauthorized-access)';
      case 'KillAmqpSession': {
        const sessions = new Set([...identity.links].map((link) => link.session));
        for (const session of sessions) session.close({ condition: 'amqp:internal-error', description: reason });
        return sessions.size === 0 ? undefined : `${sessions.size} session(s) ended`;
      }
      case 'KillAmqpCBSLinkReq':
        return detach(connection.find_receiver((link: Receiver) => targetOf(link) === CBS), reason, '$cbs request link');
      case 'KillAmqpCBSLinkResp':
        return detach(connection.find_sender((link: Sender) => sourceOf(link) === CBS), reason, '$cbs response link');
      default:
        return detach(this.linkFor(identity, fault), reason, LINK_NAMES[fault] ?? fault);
    }
  }

  private linkFor(identity: IdentityLinks, fault: ConnectionFault): Sender | Receiver | undefined {
    const wanted = LINKS[fault];
    if (!wanted) return undefined;
    return [...identity.links].find((link) => this.view.kindOf(link) === wanted.kind && link.is_sender() === (wanted.ours === 'sender'));
  }
}

/** Which of our links each link fault detaches. */
const LINKS: Readonly<Partial<Record<ConnectionFault, { kind: DeviceLinkKind; ours: 'sender' | 'receiver' }>>> = {
  KillAmqpD2CLink: { kind: 'telemetry', ours: 'receiver' },
  KillAmqpC2DLink: { kind: 'c2d', ours: 'sender' },
  KillAmqpTwinLinkReq: { kind: 'twin', ours: 'receiver' },
  KillAmqpTwinLinkResp: { kind: 'twin', ours: 'sender' },
  KillAmqpMethodReqLink: { kind: 'methods', ours: 'sender' },
  KillAmqpMethodRespLink: { kind: 'methods', ours: 'receiver' },
};

const LINK_NAMES: Readonly<Partial<Record<ConnectionFault, string>>> = {
  KillAmqpD2CLink: 'telemetry link',
  KillAmqpC2DLink: 'C2D link',
  KillAmqpTwinLinkReq: 'twin request link',
  KillAmqpTwinLinkResp: 'twin response link',
  KillAmqpMethodReqLink: 'method request link',
  KillAmqpMethodRespLink: 'method response link',
};

function detach(link: Sender | Receiver | undefined, reason: string, name: string): string | undefined {
  if (!link || !link.is_open()) return undefined;
  link.close({ condition: 'amqp:link:detach-forced', description: reason });
  return `${name} detached (amqp:link:detach-forced)`;
}

function targetOf(link: Receiver): unknown {
  return (link.target as { address?: unknown } | undefined)?.address;
}

function sourceOf(link: Sender): unknown {
  return (link.source as { address?: unknown } | undefined)?.address;
}
