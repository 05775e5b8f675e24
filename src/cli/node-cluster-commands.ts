/**
 * The cluster operator's commands under `dnsmesh-node` (docs/cluster.md):
 *
 *   cluster keygen --out FILE
 *       a new operator key: 32 random bytes as 64 hex, created 0600
 *   cluster sign --key FILE --name NAME --node id=ID,http=URL[,dns=HOST:PORT] …
 *                [--seq N | --previous FILE] [--days 365] [--out FILE]
 *       a signed cluster manifest (node spec §5.1), the file DMP_CLUSTER_FILE
 *       reads, and the public key to pin as DMP_SYNC_OPERATOR_SPK
 *
 * The key file is the one heartbeats use (32 raw bytes or 64 hex; refused
 * when the group or others may read it). Without --seq, the seq is one more
 * than the manifest in --previous, else in the --out file, else 1. Exit
 * codes: 0 done, 1 a file could not be read or written, 2 bad input.
 */
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { PRIVATE_FILE_MODE, writeFileAtomic } from './fs-atomic.js';

/** The manifest is public: readable by the node's own user wherever it is mounted. */
const MANIFEST_FILE_MODE = 0o644;

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!/^[0-9]+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const seqArg = (v: string): bigint => {
  if (!/^[0-9]+$/.test(v.trim())) throw new InvalidArgumentError('expected a positive integer');
  return BigInt(v.trim());
};

function refuse(message: string, code: number): never {
  process.stderr.write(`dnsmesh-node: ${message}\n`);
  process.exit(code);
}

interface SignFlags {
  key: string;
  name: string;
  node: string[];
  seq?: bigint;
  previous?: string;
  days: number;
  out?: string;
}

/** Adds `cluster keygen` and `cluster sign` to `program`. */
export function addClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('sign the cluster manifest (operator key, nodes, seq) — see docs/cluster.md');

  cluster
    .command('keygen')
    .description('create a cluster operator key: 32 random bytes as hex, in a new file (0600)')
    .requiredOption('--out <file>', 'the key file to create (never overwritten)')
    .action(async (flags: { out: string }) => {
      const { randomBytes } = await import('node:crypto');
      const { ed25519PublicKey } = await import('../protocol/crypto/ed25519.js');
      const { toHex } = await import('../protocol/bytes.js');
      const seed = new Uint8Array(randomBytes(32));
      try {
        const handle = await open(flags.out, 'wx', PRIVATE_FILE_MODE);
        try {
          await handle.writeFile(`${toHex(seed)}\n`, 'utf8');
          await handle.chmod(PRIVATE_FILE_MODE);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        refuse(
          code === 'EEXIST'
            ? `${flags.out} already exists; a key is never overwritten`
            : `cannot create ${flags.out}: ${code ?? String(err)}`,
          1,
        );
      }
      process.stdout.write(
        `wrote operator key to ${flags.out} (mode 0600)\n` +
          `operator public key (DMP_SYNC_OPERATOR_SPK): ${toHex(ed25519PublicKey(seed))}\n`,
      );
    });

  cluster
    .command('sign')
    .description('sign a cluster manifest and print the operator public key to pin')
    .requiredOption('--key <file>', 'operator key: 32 raw bytes or 64 hex, mode 0600')
    .requiredOption('--name <cluster>', 'cluster name (the manifest is served at cluster.<name>)')
    .requiredOption(
      '--node <spec>',
      'a node, id=ID,http=URL[,dns=HOST:PORT] (repeatable; 1..32)',
      collect,
    )
    .option('--seq <n>', 'sequence number (default: the previous manifest’s + 1, else 1)', seqArg)
    .option('--previous <file>', 'the manifest this one replaces (default: the --out file)')
    .option('--days <n>', 'lifetime in days (1..1825)', positiveInt, 365)
    .option('--out <file>', 'write the manifest to FILE (0644, replaced atomically), not stdout')
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  dnsmesh-node cluster sign --key operator.key --name mesh.example \\\n' +
        '    --node id=node-a,http=http://node-a:8053,dns=node-a:5353 \\\n' +
        '    --node id=node-b,http=http://node-b:8053,dns=node-b:5353 --out cluster-manifest.wire\n' +
        'Mount the file as DMP_CLUSTER_FILE on every node and set DMP_SYNC_OPERATOR_SPK to the\n' +
        'printed key. Signing again with the same --out raises the seq by one.\n',
    )
    .action(async (flags: SignFlags) => signCommand(flags));
}

async function signCommand(flags: SignFlags): Promise<void> {
  const { loadOperatorSeed } = await import('../node/heartbeat/operator-key.js');
  const sign = await import('../node/cluster/sign-manifest.js');
  const key = loadOperatorSeed(flags.key);
  if (!key.ok) refuse(key.error, 2);
  let nodes: ReturnType<typeof sign.parseNodeSpec>[];
  try {
    nodes = flags.node.map(sign.parseNodeSpec);
  } catch (err) {
    refuse((err as Error).message, 2);
  }
  // The manifest this one follows: consumers install only a strictly higher seq.
  const previousPath =
    flags.previous ?? (flags.out !== undefined && existsSync(flags.out) ? flags.out : undefined);
  let previous: bigint | undefined;
  if (previousPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(previousPath, 'utf8');
    } catch (err) {
      refuse(`cannot read ${previousPath}: ${(err as NodeJS.ErrnoException).code ?? err}`, 1);
    }
    const seq = sign.previousSeq(text);
    if (typeof seq === 'string') refuse(`previous manifest ${previousPath}: ${seq}`, 2);
    previous = seq;
  }
  const seq = flags.seq ?? (previous ?? 0n) + 1n;
  if (previous !== undefined && seq <= previous) {
    refuse(
      `--seq ${seq} is not above the previous manifest's ${previous} (${previousPath}); ` +
        'nodes would keep the old one',
      2,
    );
  }
  let signed: ReturnType<typeof sign.signManifest>;
  try {
    signed = sign.signManifest({
      seed: key.seed,
      clusterName: flags.name,
      nodes,
      seq,
      days: flags.days,
      now: Math.floor(Date.now() / 1000),
    });
  } catch (err) {
    refuse((err as Error).message, 2);
  }
  const m = signed.manifest;
  const expires = new Date(Number(m.exp) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const summary =
    `cluster manifest ${m.clusterName} seq ${m.seq}, ${m.nodes.length} node(s), ` +
    `expires ${expires}`;
  const pin = `operator public key (DMP_SYNC_OPERATOR_SPK): ${signed.operatorSpkHex}\n`;
  if (flags.out === undefined) {
    process.stdout.write(signed.fileText);
    process.stderr.write(`${summary}\n${pin}`);
    return;
  }
  try {
    await writeFileAtomic(flags.out, signed.fileText);
    chmodSync(flags.out, MANIFEST_FILE_MODE);
  } catch (err) {
    refuse(`cannot write ${flags.out}: ${(err as NodeJS.ErrnoException).code ?? err}`, 1);
  }
  process.stdout.write(`wrote ${summary} to ${flags.out}\n${pin}`);
}
