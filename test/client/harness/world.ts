/**
 * A small DMP world for client tests: one in-test authoritative DNS server
 * (mesh-dns.ts) serving every zone, and users each with their own sqlite
 * state file in a temp directory, a TSIG `DnsUpdateWriter` for their zone,
 * a `DirectReader` reading the server over UDP/TCP, and an unsigned claim
 * transport whose target resolution maps every zone host to the server.
 *
 * Writes go through real TSIG UPDATEs and reads through real queries on
 * loopback; only the node daemon is replaced.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ClaimTransport,
  UnsignedClaimTransport,
} from '../../../src/client/claim-transport.js';
import { DmpClient, type DmpClientOptions } from '../../../src/client/client.js';
import {
  openSqliteClientState,
  type SqliteClientState,
} from '../../../src/client/state/sqlite-state.js';
import { DirectReader } from '../../../src/dns/client/direct-reader.js';
import { DnsUpdateWriter } from '../../../src/dns/client/dns-update-writer.js';
import type { TsigKey } from '../../../src/dns/tsig-key.js';
import { utf8 } from '../../../src/protocol/bytes.js';
import { sha256 } from '../../../src/protocol/crypto/hash.js';
import {
  type IdentityKeys,
  identityFromPrivateKey,
} from '../../../src/protocol/crypto/identity.js';
import { installNodeCrypto } from '../../../src/runtime/node-crypto-provider.js';
import { MeshDns } from './mesh-dns.js';

installNodeCrypto();

/** A controllable clock shared by users and the server. */
export interface TestClock {
  now: number;
}

export interface TestUser {
  readonly name: string;
  readonly zone: string;
  readonly identity: IdentityKeys;
  readonly state: SqliteClientState;
  readonly writer: DnsUpdateWriter;
  readonly reader: DirectReader;
  readonly claimTransport: ClaimTransport;
  /** Builds a client for this user (contacts etc. per call). */
  client(options?: Partial<DmpClientOptions>): DmpClient;
}

export class TestWorld {
  readonly users: TestUser[] = [];

  private constructor(
    readonly dns: MeshDns,
    readonly dir: string,
    readonly clock: TestClock,
    private readonly keys: readonly TsigKey[],
  ) {}

  static async start(zones: readonly string[], maxValueBytes?: number): Promise<TestWorld> {
    const clock: TestClock = { now: Math.floor(Date.now() / 1000) };
    const keys: TsigKey[] = zones.map((z) => ({
      name: `writer.${z}.`,
      algorithm: 'hmac-sha256',
      secret: sha256(utf8(`tsig/${z}`)),
    }));
    const dns = await MeshDns.start({ zones, keys, now: () => clock.now, maxValueBytes });
    const dir = mkdtempSync(join(tmpdir(), 'dmp-client-'));
    return new TestWorld(dns, dir, clock, keys);
  }

  /** A TSIG writer for `zone` (one of the world's zones). */
  writerFor(zone: string): DnsUpdateWriter {
    const key = this.keys.find((k) => k.name === `writer.${zone}.`)!;
    return new DnsUpdateWriter({
      server: this.dns.address,
      zone,
      key,
      timeoutMs: 3000,
      clock: () => this.clock.now * 1000,
    });
  }

  /** A user `name` living in `zone`, with a deterministic identity. */
  user(name: string, zone: string): TestUser {
    const identity = identityFromPrivateKey(sha256(utf8(`test-identity/${name}`)));
    const state = openSqliteClientState(join(this.dir, name, 'state.db'));
    const writer = this.writerFor(zone);
    const reader = new DirectReader({ server: this.dns.address, timeoutMs: 3000 });
    const claimTransport = new UnsignedClaimTransport({
      resolver: { resolveAddress: async () => this.dns.address.host },
      port: this.dns.address.port,
      update: { timeoutMs: 3000 },
    });
    const clock = () => this.clock.now;
    const user: TestUser = {
      name,
      zone,
      identity,
      state,
      writer,
      reader,
      claimTransport,
      client: (options = {}) =>
        new DmpClient({
          identity,
          username: name,
          domain: zone,
          reader,
          writer,
          claimTransport,
          state,
          clock,
          ...options,
        }),
    };
    this.users.push(user);
    return user;
  }

  async close(): Promise<void> {
    for (const u of this.users) u.state.close();
    await this.dns.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Contact data for `user` as a peer pins it after `identity fetch --add`. */
export function pinned(user: TestUser, explicitDomain = true) {
  return {
    username: user.name,
    x25519Pub: user.identity.x25519Public,
    ed25519Spk: user.identity.ed25519Public,
    domain: explicitDomain ? user.zone : undefined,
  };
}
