/**
 * Which trusted key made a detached signature: its primary fingerprint and primary user ID,
 * for the "Signature verified with key …" line once the signature has verified.
 */
import type * as openpgp from 'openpgp';
import { parseSignature } from './signature.js';

export interface Signer {
  /** Primary key fingerprint, upper-case hex. */
  fingerprint: string;
  /** The key's primary user ID (empty when it has none). */
  userId: string;
}

/** The key among `keys` that issued the signature's first packet (undefined: none of them). */
export async function signerOf(signature: Uint8Array, keys: readonly openpgp.PublicKey[]): Promise<Signer | undefined> {
  const packet = (await parseSignature(signature)).packets[0];
  if (!packet) return undefined;
  const key = keys.find((k) => k.getKeyIDs().some((id) => id.equals(packet.issuerKeyID)));
  if (!key) return undefined;
  const userId = await key.getPrimaryUser().then(
    (primary) => primary.user.userID?.userID ?? '',
    () => key.getUserIDs()[0] ?? '',
  );
  return { fingerprint: key.getFingerprint().toUpperCase(), userId };
}
