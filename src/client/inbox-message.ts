/**
 * What the client hands to the user: a delivered message (core.md §8.4).
 */

/** How a message reached the inbox. */
export type DeliveryPath =
  /** A claim in the own zone (M10) pointed at it. */
  | 'own-zone-claim'
  /** Found by walking the mailbox slots of a pinned contact's zone (or the own zone). */
  | 'slot-walk'
  /** A claim at a first-contact claim provider pointed at it. */
  | 'provider-claim'
  /** Released from the intro queue by the user. */
  | 'intro';

/** A delivered message. */
export interface InboxMessage {
  /** The manifest signer: the sender's Ed25519 key. */
  readonly senderSpk: Uint8Array;
  /** The body (DMPv2 envelope stripped); usually UTF-8 text. */
  readonly plaintext: Uint8Array;
  /**
   * Send time from the inner header — except for messages released from the
   * intro queue, where it is the time they were queued, as in the reference.
   */
  readonly timestamp: number;
  readonly msgId: Uint8Array;
  /** Verified `user@host` of the sender, or `''`. */
  readonly senderLabel: string;
  /** Label of the pinned contact the key belongs to, if any. */
  readonly contactLabel: string | undefined;
  /** Zone the manifest and chunks were read from. */
  readonly zone: string;
  readonly via: DeliveryPath;
}
