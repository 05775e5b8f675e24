/**
 * Shared fixtures of the registration route tests: the vectors' user, a
 * second identity, and a per-test server.
 */
import { afterEach } from 'vitest';
import { fromHex } from '../../../src/protocol/bytes.js';
import { identityFromPrivateKey } from '../../../src/protocol/crypto/identity.js';
import { type ApiHarness, type ConfigOverrides, startApi } from './harness.js';

/** The vectors' user: names.json mints its scope, crypto.json its PoP. */
export const ALICE = identityFromPrivateKey(
  fromHex('02b45a0ae6c4202e1dde8884cdcf1df97ce0a1a5fb74d90783bc3fc6e8961a38'),
);
export const MALLORY = identityFromPrivateKey(fromHex('11'.repeat(32)));

export const TSIG = '/v1/registration/tsig-confirm';
export const CONFIRM = '/v1/registration/confirm';

/** Starts one server per test and closes it afterwards; call at module level. */
export function useRegistrationServer(): (
  over?: ConfigOverrides,
  random?: (n: number) => Uint8Array,
) => Promise<ApiHarness> {
  let h: ApiHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  return async (over = {}, random) => {
    h = await startApi(over, random ? { random } : {});
    return h;
  };
}
