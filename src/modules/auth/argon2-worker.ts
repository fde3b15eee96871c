import Argon2 from '@phi-ag/argon2';
import wasm from '@phi-ag/argon2/argon2.wasm';
import type { Argon2Params } from './argon2-params';
import { createPasswordHasher, type PasswordHasher } from './password-hasher';

let hasher: Promise<PasswordHasher> | undefined;

/** The Worker's hasher, instantiated on first use (not at start-up: most requests never hash). */
export function getPasswordHasher(): Promise<PasswordHasher> {
  hasher ??= WebAssembly.instantiate(wasm).then((instance) => createPasswordHasher(new Argon2(instance)));
  return hasher;
}

let dummy: string | undefined;

/**
 * A valid hash of a random secret at the current parameters. Logins for unknown emails verify
 * against it, so they cost the same Argon2 work as a real wrong password.
 */
export async function dummyHash(params: Argon2Params): Promise<string> {
  if (!dummy) {
    const secret = crypto.getRandomValues(new Uint8Array(16)).join('');
    dummy = (await getPasswordHasher()).hash(secret, params);
  }
  return dummy;
}
