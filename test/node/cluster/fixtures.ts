/** Cluster manifests for the node's cluster tests: a fixed operator seed and a signer. */
import { Writable } from 'node:stream';
import { createNodeLogger, type Logger } from '../../../src/node/log.js';
import { ed25519PublicKey } from '../../../src/protocol/crypto/ed25519.js';
import {
  type ClusterNodeInput,
  signClusterManifest,
} from '../../../src/protocol/records/cluster-manifest.js';

export const OPERATOR_SEED = new Uint8Array(32).fill(7);
export const OPERATOR_SPK = ed25519PublicKey(OPERATOR_SEED);
export const OTHER_SEED = new Uint8Array(32).fill(9);

export const NODES: readonly ClusterNodeInput[] = [
  { nodeId: 'node-a', httpEndpoint: 'http://node-a:8053', dnsEndpoint: 'node-a:5353' },
  { nodeId: 'node-b', httpEndpoint: 'http://node-b:8053', dnsEndpoint: 'node-b:5353' },
];

/** A manifest wire for `clusterName`, valid for a year after `now` unless `exp` says otherwise. */
export function manifestWire(o: {
  readonly now: number;
  readonly seq: number | bigint;
  readonly clusterName?: string;
  readonly exp?: number | bigint;
  readonly seed?: Uint8Array;
  readonly nodes?: readonly ClusterNodeInput[];
}): string {
  return signClusterManifest(
    {
      clusterName: o.clusterName ?? 'mesh.example',
      nodes: o.nodes ?? NODES,
      seq: BigInt(o.seq),
      exp: BigInt(o.exp ?? o.now + 365 * 86_400),
    },
    o.seed ?? OPERATOR_SEED,
  );
}

/** A debug-level JSON logger whose lines land in `lines`. */
export function captureLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createNodeLogger({ level: 'debug', format: 'json', destination: sink }), lines };
}
