import {
  type CryptoKey,
  type FlattenedJWSInput,
  importJWK,
  type JWK,
  type JWSHeaderParameters,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { Config, JsonWebKeySet } from '../../config';
import { ROLES } from '../../db/schema';
import type { CallerRole } from '../../lib/types';

const ALG = 'ES256';
const TYP = 'at+jwt'; // RFC 9068: stops an ID token or other JWT from passing as an access token
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * `tv`: the user's token version when minted; `sid`: the refresh-token family (session) it belongs to.
 * A guest token (role `guest`) names a visitor in `sub` and `sid`, has `tv` 0, and carries its site
 * (`site`) and, when the site's server signed one, the customer's identity (`cus`).
 */
export type AccessClaims = {
  sub: string;
  role: CallerRole;
  tv: number;
  sid: string;
  jti: string;
  site?: string;
  customer?: { id: string; email: string };
};

type KeyRing = { signer: { kid: string; key: CryptoKey }; verifiers: Map<string, CryptoKey> };

const rings = new WeakMap<JsonWebKeySet, Promise<KeyRing>>();

/** Imports the configured keys once per key set (per isolate), not on every request. */
function keyRing(jwks: JsonWebKeySet): Promise<KeyRing> {
  let ring = rings.get(jwks);
  if (!ring) {
    ring = (async () => {
      const verifiers = new Map<string, CryptoKey>();
      let signer: KeyRing['signer'] | undefined;
      for (const jwk of jwks.keys) {
        const { d, ...publicJwk } = jwk;
        verifiers.set(jwk.kid, (await importJWK(publicJwk as JWK, ALG)) as CryptoKey);
        if (d && !signer) signer = { kid: jwk.kid, key: (await importJWK(jwk as JWK, ALG)) as CryptoKey };
      }
      if (!signer) throw new Error('JWT_JWKS has no signing key'); // config parsing already refuses this
      return { signer, verifiers };
    })();
    rings.set(jwks, ring);
  }
  return ring;
}

export async function signAccessToken(claims: Omit<AccessClaims, 'jti'>, auth: Config['auth']): Promise<string> {
  const { signer } = await keyRing(auth.jwks);
  const guest =
    claims.role === 'guest' ? { site: claims.site, ...(claims.customer ? { cus: claims.customer } : {}) } : {};
  return new SignJWT({ role: claims.role, tv: claims.tv, sid: claims.sid, ...guest })
    .setProtectedHeader({ alg: ALG, typ: TYP, kid: signer.kid })
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setSubject(claims.sub)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${auth.accessTokenTtlSeconds}s`)
    .sign(signer.key);
}

/**
 * Verifies signature and claims with every check jose leaves optional turned on: one algorithm,
 * our issuer and audience, `typ`, required exp/iat/sub/jti, and no `iat` in the future or older
 * than the token lifetime. Throws on any failure; callers answer 401 without saying which check failed.
 */
export async function verifyAccessToken(token: string, auth: Config['auth']): Promise<AccessClaims> {
  const { verifiers } = await keyRing(auth.jwks);
  const { payload } = await jwtVerify(
    token,
    (header: JWSHeaderParameters, _token: FlattenedJWSInput) => {
      const key = header.kid ? verifiers.get(header.kid) : undefined;
      if (!key) throw new Error('unknown kid');
      return key;
    },
    {
      algorithms: [ALG],
      issuer: auth.issuer,
      audience: auth.audience,
      typ: TYP,
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: auth.accessTokenTtlSeconds + CLOCK_TOLERANCE_SECONDS,
    },
  );
  const { sub, jti, role, tv, sid } = payload;
  if (typeof sub !== 'string' || typeof jti !== 'string') throw new Error('bad sub/jti');
  if (typeof role !== 'string' || !(CALLER_ROLES as readonly string[]).includes(role)) throw new Error('bad role');
  if (typeof tv !== 'number' || !Number.isInteger(tv)) throw new Error('bad token version');
  if (typeof sid !== 'string') throw new Error('bad session id');
  if (role !== 'guest') return { sub, jti, role: role as CallerRole, tv, sid };
  // A guest token without its site could not be limited by its site: refuse it outright.
  const { site, cus } = payload;
  if (typeof site !== 'string' || sid !== sub || tv !== 0) throw new Error('bad guest claims');
  const customer = isCustomer(cus) ? { id: cus.id, email: cus.email } : undefined;
  return { sub, jti, role: 'guest', tv, sid, site, ...(customer ? { customer } : {}) };
}

const CALLER_ROLES = [...ROLES, 'guest'] as const;

function isCustomer(value: unknown): value is { id: string; email: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string' &&
    typeof (value as { email?: unknown }).email === 'string'
  );
}

/** The public half of every configured key, for `/.well-known/jwks.json`. */
export function publicJwks(jwks: JsonWebKeySet): { keys: JWK[] } {
  return {
    keys: jwks.keys.map(({ kid, kty, crv, x, y }) => ({ kid, kty, crv, x, y, alg: ALG, use: 'sig' })),
  };
}
