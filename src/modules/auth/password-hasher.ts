import type Argon2 from '@phi-ag/argon2';
import { Argon2Type, Argon2Version } from '@phi-ag/argon2';
import { type Argon2Params, MAX_ARGON2 } from './argon2-params';

/**
 * Argon2id behind three small functions. The WASM engine is passed in so that the Worker
 * (a `.wasm` module import; workerd forbids compiling WASM from bytes) and the Node admin CLI
 * share this code.
 */
export type PasswordHasher = {
  hash(password: string, params: Argon2Params): string;
  /** False for a wrong password and for a stored hash we refuse to run (malformed or over the ceilings). */
  verify(encoded: string, password: string): boolean;
};

export function createPasswordHasher(argon2: Argon2): PasswordHasher {
  return {
    hash(password, params) {
      // Every parameter explicit: libraries differ in their defaults (some use p=4).
      return argon2.hash(password, {
        type: Argon2Type.Argon2id,
        version: Argon2Version.Version13,
        memoryCost: params.memoryKib,
        timeCost: params.iterations,
        parallelism: params.parallelism,
        hashLength: 32,
      }).encoded;
    },
    verify(encoded, password) {
      const params = parsePhc(encoded);
      if (!params || exceedsCeiling(params)) return false;
      return argon2.tryVerify(encoded, password, Argon2Type.Argon2id).success;
    },
  };
}

const PHC = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,2})\$[A-Za-z0-9+/]{11,64}\$[A-Za-z0-9+/]{16,128}$/;

/** Reads the cost parameters out of a PHC string, or undefined when it is not an Argon2id v1.3 hash. */
export function parsePhc(encoded: string): Argon2Params | undefined {
  const match = PHC.exec(encoded);
  if (!match) return undefined;
  return { memoryKib: Number(match[1]), iterations: Number(match[2]), parallelism: Number(match[3]) };
}

export function exceedsCeiling(params: Argon2Params): boolean {
  return (
    params.memoryKib > MAX_ARGON2.memoryKib ||
    params.iterations > MAX_ARGON2.iterations ||
    params.parallelism > MAX_ARGON2.parallelism
  );
}

/** True when the stored hash is cheaper than what is configured now: rehash it on the next good login. */
export function needsRehash(encoded: string, wanted: Argon2Params): boolean {
  const stored = parsePhc(encoded);
  if (!stored) return true;
  return (
    stored.memoryKib < wanted.memoryKib ||
    stored.iterations < wanted.iterations ||
    stored.parallelism !== wanted.parallelism
  );
}
