/**
 * OpenPGP detached-signature verification on openpgp.js, in one streaming pass over the
 * *compressed* bytes as published. The verdict is only available after the whole stream
 * ended (CVE-2021-20319: never trust a result before the end was read).
 *
 * Trusted keys (trusted-keys.ts) are armored or binary public keys.
 */
import { createHash, type Hash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Transform } from 'node:stream';
import * as openpgp from 'openpgp';
import { UserError, VerificationError, errorMessage } from '../errors.js';
import { trustedKeyFiles } from './trusted-keys.js';

/** Armored blocks of a file; a keyring file (like upstream's signing-keys.asc) holds several. */
const ARMORED_BLOCK = /-----BEGIN PGP ([A-Z ]+)-----[\s\S]*?-----END PGP \1-----/g;

/** Parses armored (one or more blocks) or binary OpenPGP public keys. */
export async function parseKeys(bytes: Uint8Array, name: string): Promise<openpgp.PublicKey[]> {
  const text = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  try {
    let keys: openpgp.Key[];
    if (text.includes('-----BEGIN PGP')) {
      const armored = Buffer.from(bytes).toString('utf8');
      const blocks = [...armored.matchAll(ARMORED_BLOCK)].map((m) => m[0]);
      // No complete block: openpgp names what is wrong with the text.
      keys = (
        await Promise.all(
          (blocks.length > 0 ? blocks : [armored]).map((block) => openpgp.readKeys({ armoredKeys: block })),
        )
      ).flat();
    } else {
      keys = await openpgp.readKeys({ binaryKeys: bytes });
    }
    return keys.map((k) => (k.isPrivate() ? k.toPublic() : k));
  } catch (err) {
    throw new UserError(`reading OpenPGP key ${name}`, { cause: err });
  }
}

export async function loadTrustedKeys(options: { extraKeyFiles?: string[] } = {}): Promise<openpgp.PublicKey[]> {
  const keys: openpgp.PublicKey[] = [];
  for (const file of await trustedKeyFiles(options.extraKeyFiles ?? [])) {
    const bytes = await readFile(file).catch((err: unknown) => {
      throw new UserError(`reading trusted key ${file}`, { cause: err });
    });
    keys.push(...(await parseKeys(bytes, file)));
  }
  return keys;
}

/** Parses a binary or armored detached signature. */
export async function parseSignature(signature: Uint8Array): Promise<openpgp.Signature> {
  const head = Buffer.from(signature.subarray(0, 64)).toString('latin1');
  try {
    return head.includes('-----BEGIN PGP')
      ? await openpgp.readSignature({ armoredSignature: Buffer.from(signature).toString('utf8') })
      : await openpgp.readSignature({ binarySignature: signature });
  } catch (err) {
    throw new VerificationError('GPG verification failure: unreadable signature', { cause: err });
  }
}

function noTrustedKeys(): VerificationError {
  return new VerificationError('GPG verification failure: no trusted keys (add one with --trusted-key)');
}

/**
 * Checks before any image byte is read that the detached signature can be verified at all:
 * there are trusted keys, and every signature packet names an issuer (the key ID in the
 * packet) that is one of them or one of their subkeys. Whether the signature matches the
 * bytes is only known after the last byte (createSignatureVerifier).
 */
export async function checkSignatureIssuers(signature: Uint8Array, keys: openpgp.PublicKey[]): Promise<void> {
  if (keys.length === 0) throw noTrustedKeys();
  const packets = [...(await parseSignature(signature)).packets] as openpgp.SignaturePacket[];
  if (packets.length === 0) throw new VerificationError('GPG verification failure: no signature found');
  for (const p of packets) {
    const issuer = p.issuerKeyID;
    if (/^0+$/.test(issuer.toHex()))
      throw new VerificationError('GPG verification failure: the signature does not name the key that made it');
    if (!keys.some((k) => k.getKeyIDs().some((id) => id.equals(issuer)))) {
      throw new VerificationError(
        `GPG verification failure: signed by key ${issuer.toHex().toUpperCase()}, which is not among the trusted keys (add it with --trusted-key)`,
      );
    }
  }
}

interface StreamVerifier {
  /** A pass-through tap: pipe the published bytes through it. */
  stream: Transform;
  /** Resolves once the whole stream was read and every signature verified. */
  verified(): Promise<void>;
}

export interface SignatureVerifier extends StreamVerifier {
  /**
   * The same tap without a stream: feed the published bytes in order. The chunk is lent: it
   * may be reused once the returned promise settled (undefined: at once).
   */
  update(chunk: Buffer): Promise<void> | undefined;
  /** The published bytes ended. */
  end(): Promise<void>;
}

function failure(err: unknown): VerificationError {
  const msg = errorMessage(err);
  const hint = /could not find signing key/i.test(msg) ? `${msg} (key not trusted; add it with --trusted-key)` : msg;
  return new VerificationError(`GPG verification failure: ${hint}`);
}

/** openpgp.js end to end (web streams): the fallback for signatures other than v4 binary. */
function createOpenpgpStreamVerifier(signature: Uint8Array, keys: openpgp.PublicKey[]): StreamVerifier {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let wantMore: (() => void) | undefined;
  const source = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      pull: () => {
        const w = wantMore;
        wantMore = undefined;
        w?.();
      },
    },
    { highWaterMark: 4 },
  );

  const result = (async () => {
    if (keys.length === 0) throw noTrustedKeys();
    const sig = await parseSignature(signature);
    const message = await openpgp.createMessage({ binary: source, format: 'binary' });
    // openpgp's result type is generic over web-stream types the type checker leaves unresolved
    // here; `signatures` is its VerificationResult[].
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
    const { data, signatures } = await openpgp.verify({
      message,
      signature: sig,
      verificationKeys: keys,
      format: 'binary',
    });
    const reader = (data as unknown as ReadableStream<Uint8Array>).getReader();
    while (!(await reader.read()).done) {
      /* drain: the verdict needs the whole stream */
    }
    if (signatures.length === 0) throw new VerificationError('GPG verification failure: no signature found');
    for (const s of signatures) await s.verified;
  })().catch((err: unknown) => {
    throw err instanceof VerificationError ? err : failure(err);
  });
  // The rejection is observed by whoever awaits it later; this marks it handled.
  result.catch(() => undefined);

  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      controller.enqueue(chunk);
      // Backpressure: wait while the verifier's queue is full.
      if ((controller.desiredSize ?? 1) > 0) return cb(null, chunk);
      wantMore = () => cb(null, chunk);
      result.catch((err: unknown) => {
        if (wantMore) {
          wantMore = undefined;
          cb(err as Error);
        }
      });
    },
    flush(cb) {
      controller.close();
      cb();
    },
    destroy(err, cb) {
      if (err) {
        try {
          controller.error(err);
        } catch {
          /* already closed */
        }
      }
      cb(err);
    },
  });
  return { stream, verified: () => result };
}

const NODE_HASH: Record<string, string> = {
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha3_256: 'sha3-256',
  sha3_512: 'sha3-512',
};

/** v4 binary-document signatures (what gpg makes) can be hashed natively, off web streams. */
function nativeHashName(p: openpgp.SignaturePacket): string | undefined {
  if (p.version !== 4 || p.signatureType !== openpgp.enums.signature.binary) return undefined;
  if (!(p.signatureData instanceof Uint8Array)) return undefined;
  return NODE_HASH[openpgp.enums.read(openpgp.enums.hash, p.hashAlgorithm as openpgp.enums.hash) as string];
}

/** Checks one packet against its precomputed digest with the issuer's signing key. */
async function verifyPacket(p: openpgp.SignaturePacket, digest: Uint8Array, keys: openpgp.PublicKey[]): Promise<void> {
  const issuer = p.issuerKeyID;
  const key = keys.find((k) => k.getKeyIDs().some((id) => id.equals(issuer)));
  if (!key) throw new Error(`Could not find signing key with key ID ${issuer.toHex()}`);
  const signingKey = await key.getSigningKey(issuer, null);
  // openpgp's own check (digest prefix, RSA/ECC math, expiry, rejected hash algorithms) on the
  // digest we computed: the same code path openpgp uses for one-pass signatures.
  (p as unknown as { hashed: Promise<Uint8Array> }).hashed = Promise.resolve(digest);
  await p.verify(signingKey.keyPacket, p.signatureType!, undefined as never, new Date(), true);
}

/**
 * Verifier for detached signatures: hashes the stream with node:crypto (v4 binary signatures,
 * i.e. everything gpg makes) and lets openpgp.js check the signature math on the digest;
 * other signature versions fall back to openpgp.js' own streaming verification.
 */
export function createSignatureVerifier(signature: Uint8Array, keys: openpgp.PublicKey[]): SignatureVerifier {
  type Plan =
    { kind: 'native'; packets: openpgp.SignaturePacket[]; hashes: Hash[] } | { kind: 'fallback'; v: StreamVerifier };
  const planned: Promise<Plan> = (async () => {
    if (keys.length === 0) throw noTrustedKeys();
    const sig = await parseSignature(signature);
    const packets = [...sig.packets] as openpgp.SignaturePacket[];
    if (packets.length === 0) throw new VerificationError('GPG verification failure: no signature found');
    const names = packets.map(nativeHashName);
    if (names.some((n) => n === undefined))
      return { kind: 'fallback', v: createOpenpgpStreamVerifier(signature, keys) };
    return { kind: 'native', packets, hashes: names.map((n) => createHash(n!)) };
  })();
  // The rejection is observed by whoever awaits it later; this marks it handled.
  planned.catch(() => undefined);
  let plan: Plan | undefined;
  let finished: (() => void) | undefined;
  const ended = new Promise<void>((resolve) => (finished = resolve));
  const settle = (p: Plan): Plan => {
    if (!plan && p.kind === 'fallback') p.v.stream.resume();
    plan = p;
    return p;
  };

  const feed = (p: Plan, chunk: Buffer): Promise<void> | undefined => {
    if (p.kind === 'native') {
      for (const h of p.hashes) h.update(chunk);
      return undefined;
    }
    // openpgp's web streams keep chunks queued: give them a copy of the lent one.
    return new Promise<void>((resolve, reject) =>
      p.v.stream.write(Buffer.from(chunk), (err) => (err ? reject(err) : resolve())),
    );
  };
  const update = (chunk: Buffer): Promise<void> | undefined =>
    plan ? feed(plan, chunk) : planned.then((p) => feed(settle(p), chunk));
  const end = (): Promise<void> =>
    planned.then(
      (p) => {
        const q = settle(p);
        if (q.kind === 'fallback') q.v.stream.end();
        finished!();
      },
      () => finished!(),
    );

  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const pending = update(chunk);
      if (!pending) return cb(null, chunk);
      pending.then(
        () => cb(null, chunk),
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    },
    flush(cb) {
      end().then(
        () => cb(),
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    },
  });

  const result = (async () => {
    const p = await planned;
    await ended;
    if (p.kind === 'fallback') return p.v.verified();
    for (const [i, packet] of p.packets.entries()) {
      const h = p.hashes[i]!;
      h.update(packet.signatureData as Uint8Array);
      const trailer = Buffer.alloc(6);
      trailer[0] = 4;
      trailer[1] = 0xff;
      trailer.writeUInt32BE((packet.signatureData as Uint8Array).length, 2);
      h.update(trailer);
      await verifyPacket(packet, new Uint8Array(h.digest()), keys);
    }
  })().catch((err: unknown) => {
    throw err instanceof VerificationError ? err : failure(err);
  });
  // The rejection is observed by whoever awaits it later; this marks it handled.
  result.catch(() => undefined);
  return { stream, update, end, verified: () => result };
}
