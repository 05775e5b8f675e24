/**
 * The process-wide crypto provider. Protocol code calls {@link crypto}; a Node
 * entry point installs the faster node:crypto provider once at start-up. The
 * default is the pure-JS provider so browser bundles work with no set-up.
 */
import { nobleCryptoProvider } from './noble-provider.js';
import type { CryptoProvider } from './provider.js';

let active: CryptoProvider = nobleCryptoProvider;

/** The provider protocol functions use. */
export function crypto(): CryptoProvider {
  return active;
}

/** Replaces the provider; returns the previous one (handy for tests). */
export function installCryptoProvider(provider: CryptoProvider): CryptoProvider {
  const previous = active;
  active = provider;
  return previous;
}
