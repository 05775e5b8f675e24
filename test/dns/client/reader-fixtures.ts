/**
 * Shared world for reader tests: a genuine unbound (two ports = two honest
 * resolvers) serving a signed slot manifest, a lying unbound serving a
 * forged manifest and different values, a port with nothing listening, and
 * fault servers (black hole, SERVFAIL, TXT filter).
 */
import type { DnsServer } from '../../../src/dns/client/server-address.js';
import { Rcode } from '../../../src/dns/wire/constants.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import {
  parseAndVerifySlotManifest,
  signSlotManifest,
} from '../../../src/protocol/records/slot-manifest.js';
import { answerTo, deadPort, FaultServer } from './fault-server.js';
import { startUnbound, txtData, type UnboundInstance } from './unbound.js';

export const SLOT_NAME = 'slot-0.mb-0123456789ab.mesh.test';
export const PROBE_NAME = 'probe.mesh.test';

const SOA = 'mesh.test. 60 IN SOA ns.mesh.test. admin.mesh.test. 1 3600 600 604800 60';

function genuineManifest(now: number): string {
  const seed = new Uint8Array(32).fill(7);
  return signSlotManifest(
    {
      msgId: new Uint8Array(16).fill(1),
      senderSpk: ed25519PublicKey(seed),
      recipientId: new Uint8Array(32).fill(2),
      totalChunks: 2,
      dataChunks: 1,
      prekeyId: 0,
      ts: now,
      exp: now + 3600,
      chunkHashes: [new Uint8Array(32).fill(3), new Uint8Array(32).fill(4)],
    },
    seed,
  );
}

/** The same manifest with one base64 character of the signed body changed. */
function forge(value: string): string {
  const at = 60;
  const c = value[at] === 'A' ? 'B' : 'A';
  return value.slice(0, at) + c + value.slice(at + 1);
}

export interface ReaderWorld {
  readonly manifest: string;
  readonly forged: string;
  readonly good: DnsServer[];
  readonly liar: DnsServer;
  readonly dead: DnsServer;
  readonly blackhole: FaultServer;
  readonly servfail: FaultServer;
  readonly filter: FaultServer;
  /** Verifies every value as a slot manifest. */
  validate(values: readonly string[]): boolean;
  stop(): Promise<void>;
}

export async function startReaderWorld(): Promise<ReaderWorld> {
  const now = Math.floor(Date.now() / 1000);
  const manifest = genuineManifest(now);
  const forged = forge(manifest);
  const zones = [['mesh.test.', 'static']] as const;
  const honest: UnboundInstance = await startUnbound({
    zones,
    ports: 2,
    data: [
      SOA,
      txtData(SLOT_NAME, manifest),
      txtData('plain.mesh.test', 'v1'),
      txtData('plain.mesh.test', 'v2'),
      txtData('only-good.mesh.test', 'yes'),
      txtData(PROBE_NAME, 'ok'),
      'a.mesh.test. 60 IN A 192.0.2.1',
    ],
  });
  const lying: UnboundInstance = await startUnbound({
    zones,
    data: [SOA, txtData(SLOT_NAME, forged), txtData('plain.mesh.test', 'evil')],
  });
  const blackhole = await FaultServer.start(() => ({ kind: 'drop' }));
  const servfail = await FaultServer.start((r) => ({
    kind: 'reply',
    message: answerTo(r.message!, { rcode: Rcode.SERVFAIL }),
  }));
  const filter = await FaultServer.start((r) => ({ kind: 'reply', message: answerTo(r.message!) }));
  return {
    manifest,
    forged,
    good: honest.servers,
    liar: lying.servers[0]!,
    dead: { host: '127.0.0.1', port: await deadPort() },
    blackhole,
    servfail,
    filter,
    validate: (values) => values.every((v) => parseAndVerifySlotManifest(v, now).ok),
    stop: async () => {
      await Promise.all([blackhole.close(), servfail.close(), filter.close()]);
      await honest.stop();
      await lying.stop();
    },
  };
}
