/**
 * The webhook signature: `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The timestamp is inside the signed text, so a receiver that checks it within a tolerance refuses a
 * delivery replayed later; the body is signed byte for byte, so any change to it fails.
 */
export const SIGNATURE_HEADER = 'X-Signature';

const encoder = new TextEncoder();

const hmacKey = (secret: string, usage: 'sign' | 'verify') =>
  crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);

const toHex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length !== 64 || !/^[0-9a-f]+$/i.test(hex)) return undefined;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** The header value for `body` signed at `nowSec` (a fresh timestamp per delivery attempt). */
export async function signHandoffBody(secret: string, body: string, nowSec: number): Promise<string> {
  const t = Math.floor(nowSec);
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret, 'sign'), encoder.encode(`${t}.${body}`));
  return `t=${t},v1=${toHex(mac)}`;
}

/**
 * What a receiver runs (documented in docs/handoff.md): true only when the header's timestamp is
 * within `toleranceSec` of `nowSec` and one of its `v1` signatures is the HMAC of "<t>.<body>".
 * `crypto.subtle.verify` compares in constant time, so the check leaks nothing about the expected MAC.
 */
export async function verifyHandoffSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  nowSec: number,
  toleranceSec = 300,
): Promise<boolean> {
  if (!header) return false;
  let t: number | undefined;
  const signatures: Uint8Array[] = [];
  for (const part of header.split(',')) {
    const [name, value = ''] = part.trim().split('=', 2);
    if (name === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (name === 'v1') {
      const bytes = fromHex(value);
      if (bytes) signatures.push(bytes);
    }
  }
  if (t === undefined || signatures.length === 0 || Math.abs(nowSec - t) > toleranceSec) return false;
  const key = await hmacKey(secret, 'verify');
  const signed = encoder.encode(`${t}.${body}`);
  for (const signature of signatures) {
    if (await crypto.subtle.verify('HMAC', key, signature, signed)) return true;
  }
  return false;
}
