/**
 * The process-wide crypto provider. Protocol code calls {@link crypto}; a Node
 * entry point installs the faster node:crypto provider once at start-up. Until
 * then the default of ./default-provider.ts applies (pure JS, so browser
 * bundles work with no set-up).
 */
import { defaultCryptoProvider } from './default-provider.js';
import type { CryptoProvider } from './provider.js';

/** The installed provider; `undefined` means the default. */
let installed: CryptoProvider | undefined;

/** The provider protocol functions use. */
export function crypto(): CryptoProvider {
  // The default binding is read on each call, never copied at module
  // evaluation: a bundle may substitute a default module that imports this
  // one back (see default-provider.ts), and no evaluation order can then
  // leave the slot holding a not-yet-initialised value.
  return installed ?? defaultCryptoProvider;
}

/** Replaces the provider; returns the previous one (handy for tests). */
export function installCryptoProvider(provider: CryptoProvider): CryptoProvider {
  const previous = crypto();
  installed = provider;
  return previous;
}
