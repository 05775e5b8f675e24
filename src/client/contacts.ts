/**
 * Contacts and the pin sets derived from them (core.md §8.1, §8.5, §8.10).
 *
 * "Pinned" always means a contact's Ed25519 key; an X25519-only contact can
 * be written to but its messages are not accepted. Zone comparisons are
 * exact string equality, as in the reference (O20): names are built from
 * zones verbatim, so `Mesh.test` and `mesh.test` are different mailboxes.
 */
import { toHex } from '../protocol/bytes.js';
import { DmpClientError } from './errors.js';

/** Contact data as the caller (the CLI's config) supplies it. */
export interface ContactInit {
  /**
   * The contact's protocol username (whose prekeys and identity are looked
   * up). Default: the label. Anything from the first `@` on is dropped: a
   * `user@host` label names user `user` — the reference looks prekeys up
   * under the whole label and never finds them (O4).
   */
  readonly username?: string;
  /** 32-byte X25519 public key; needed to send to the contact. */
  readonly x25519Pub?: Uint8Array;
  /** 32-byte Ed25519 key; pins the contact (its messages are accepted). */
  readonly ed25519Spk?: Uint8Array;
  /** Home mailbox zone. Default: the client's own domain. */
  readonly domain?: string;
  /**
   * True when the domain was recorded explicitly: receiver-zone (M10)
   * claims are only sent to explicit domains. Default: `domain` given.
   */
  readonly domainExplicit?: boolean;
}

/** A contact as the client uses it. */
export interface Contact {
  readonly label: string;
  /** Protocol username (may be empty for an intro-trust placeholder). */
  readonly username: string;
  readonly x25519Pub: Uint8Array | undefined;
  readonly ed25519Spk: Uint8Array | undefined;
  /** Home zone (the client's own domain when none was recorded). */
  readonly domain: string;
  readonly domainExplicit: boolean;
}

function checkKey(
  label: string,
  key: Uint8Array | undefined,
  what: string,
): Uint8Array | undefined {
  if (key === undefined || key.length === 0) return undefined;
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new DmpClientError(
      'invalid-contact',
      `contact ${JSON.stringify(label)}: ${what} must be 32 bytes`,
      'Re-add the contact with the 64-hex-digit key from `identity fetch`',
    );
  }
  return Uint8Array.from(key);
}

/** Builds a validated {@link Contact}. */
export function makeContact(label: string, init: ContactInit, ownDomain: string): Contact {
  const x25519Pub = checkKey(label, init.x25519Pub, 'X25519 key');
  const ed25519Spk = checkKey(label, init.ed25519Spk, 'Ed25519 key');
  if (x25519Pub === undefined && ed25519Spk === undefined) {
    throw new DmpClientError(
      'invalid-contact',
      `contact ${JSON.stringify(label)} has neither an X25519 nor an Ed25519 key`,
      'Add at least one key',
    );
  }
  const given = init.domain ?? '';
  const raw = init.username ?? label;
  const at = raw.indexOf('@');
  return {
    label,
    username: at < 0 ? raw : raw.slice(0, at),
    x25519Pub,
    ed25519Spk,
    domain: given === '' ? ownDomain : given,
    domainExplicit: init.domainExplicit ?? given !== '',
  };
}

/** The client's contacts in insertion order, with the pin views receive needs. */
export class ContactBook {
  private readonly byLabel = new Map<string, Contact>();

  constructor(private readonly ownDomain: string) {}

  /** Adds or replaces a contact. @throws DmpClientError `invalid-contact`. */
  set(label: string, init: ContactInit): Contact {
    const contact = makeContact(label, init, this.ownDomain);
    this.byLabel.set(label, contact);
    return contact;
  }

  get(label: string): Contact | undefined {
    return this.byLabel.get(label);
  }

  delete(label: string): boolean {
    return this.byLabel.delete(label);
  }

  list(): Contact[] {
    return [...this.byLabel.values()];
  }

  /** Exact label, else (for `user@host`) the part before `@` — how `send <recipient>` finds a contact. */
  resolve(recipient: string): Contact | undefined {
    const exact = this.byLabel.get(recipient);
    if (exact !== undefined) return exact;
    const at = recipient.indexOf('@');
    return at < 0 ? undefined : this.byLabel.get(recipient.slice(0, at));
  }

  /** Every pinned Ed25519 key (`known_spks`), hex-encoded. */
  pinnedKeys(): Set<string> {
    const out = new Set<string>();
    for (const c of this.byLabel.values()) if (c.ed25519Spk) out.add(toHex(c.ed25519Spk));
    return out;
  }

  /** Ed25519 keys of contacts whose zone is exactly `zone`, hex-encoded. */
  pinsForZone(zone: string): Set<string> {
    const out = new Set<string>();
    for (const c of this.byLabel.values()) {
      if (c.ed25519Spk && c.domain === zone) out.add(toHex(c.ed25519Spk));
    }
    return out;
  }

  /**
   * Keys accepted for manifests found in `zone`: the own zone accepts every
   * pin (cross-zone senders may publish into the recipient's zone), any
   * other zone only the contacts pinned to it.
   */
  acceptedIn(zone: string): Set<string> {
    return zone === this.ownDomain ? this.pinnedKeys() : this.pinsForZone(zone);
  }

  /** Zones the slot walk polls: contacts' zones in insertion order, then the own zone. */
  zonesToPoll(): string[] {
    const zones: string[] = [];
    for (const c of this.byLabel.values()) if (!zones.includes(c.domain)) zones.push(c.domain);
    if (this.ownDomain !== '' && !zones.includes(this.ownDomain)) zones.push(this.ownDomain);
    return zones;
  }

  /** The first contact pinned to `spk`, if any. */
  findByKey(spk: Uint8Array): Contact | undefined {
    const hex = toHex(spk);
    for (const c of this.byLabel.values()) {
      if (c.ed25519Spk && toHex(c.ed25519Spk) === hex) return c;
    }
    return undefined;
  }
}
