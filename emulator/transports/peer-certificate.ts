import { TLSSocket, type DetailedPeerCertificate } from 'node:tls';

/** Most certificates read from one handshake (leaf and intermediates); a longer chain is cut here. */
const MAX_PRESENTED = 10;

/**
 * The client certificate chain a TLS socket's handshake presented, as DER, leaf first; empty for a socket that is not
 * TLS or a client that sent no certificate. The listeners request a certificate without requiring one and without
 * letting Node judge it (`requestCert: true, rejectUnauthorized: false`, iothub-protocol-2.md §1.4): SAS clients on
 * the same port send none, and the device authenticator decides about the ones that are sent.
 */
export function presentedChain(socket: unknown): Buffer[] {
  if (!(socket instanceof TLSSocket)) return [];
  // An empty object when the client sent no certificate.
  const leaf = socket.getPeerCertificate(true) as Partial<DetailedPeerCertificate>;
  if (!leaf.raw) return [];
  const chain: Buffer[] = [];
  const seen = new Set<string>();
  for (let current: DetailedPeerCertificate | undefined = leaf as DetailedPeerCertificate; current?.raw && chain.length < MAX_PRESENTED; current = current.issuerCertificate) {
    // A self-signed certificate is its own issuer: Node links it to itself.
    if (seen.has(current.fingerprint256)) break;
    seen.add(current.fingerprint256);
    chain.push(current.raw);
  }
  return chain;
}

/** TLS options of a listener that asks devices for an X.509 certificate without requiring one. */
export const REQUEST_CLIENT_CERTIFICATE = { requestCert: true, rejectUnauthorized: false } as const;
