/** The registration a DPS link (and SASL PLAIN username) names: `<idScope>/registrations/<registrationId>`. */
export interface DpsLinkAddress {
  readonly idScope: string;
  readonly registrationId: string;
}

/** An id scope as DPS mints them: `0ne` + 8 hex digits; hub link addresses never start so. */
const DPS_ADDRESS = /^(0ne[0-9A-Fa-f]{8})\/registrations\/([^/]{1,128})$/;

/** The id scope and registration id of a DPS link address, or undefined for any other address. */
export function parseDpsLinkAddress(address: unknown): DpsLinkAddress | undefined {
  if (typeof address !== 'string') return undefined;
  const match = DPS_ADDRESS.exec(address);
  return match ? { idScope: match[1] ?? '', registrationId: match[2] ?? '' } : undefined;
}
