/**
 * `npm run demo`: Alice seals a message for Bob as the DNS records one send
 * publishes, Bob opens them, and a tampered manifest is refused.
 *
 *   npm run demo -- "your message"     (default: a greeting)
 */
import { installNodeCrypto } from '../src/index.js';
import {
  deriveIdentity,
  openMessage,
  sealMessage,
  type TxtRecord,
  toHex,
  utf8,
} from '../src/protocol/index.js';

installNodeCrypto();

const text =
  process.argv.slice(2).join(' ') || 'Hello Bob — this message travelled as DNS TXT records.';
const t0 = performance.now();
const [alice, bob] = await Promise.all([
  deriveIdentity('alice demo passphrase', utf8('alice-demo-salt')),
  deriveIdentity('bob demo passphrase', utf8('bob-demo-salt')),
]);
const unlockMs = performance.now() - t0;

console.log('identities (Argon2id t=2 m=32MiB p=2, both in %s ms):', unlockMs.toFixed(0));
console.log(
  '  alice  ed25519 %s…  user_id %s…',
  toHex(alice.ed25519Public).slice(0, 16),
  toHex(alice.userId).slice(0, 16),
);
console.log(
  '  bob    ed25519 %s…  user_id %s…',
  toHex(bob.ed25519Public).slice(0, 16),
  toHex(bob.userId).slice(0, 16),
);

const now = Math.floor(Date.now() / 1000);
const sealed = sealMessage({
  sender: alice,
  senderZone: 'alice.example',
  recipient: { x25519Public: bob.x25519Public, claimZone: 'bob.example' },
  body: text,
  now,
});

console.log(
  '\nAlice publishes %d records (k=%d of n=%d chunks needed):',
  sealed.records.length,
  sealed.k,
  sealed.n,
);
for (const r of sealed.records) {
  const shown = r.value.length > 48 ? `${r.value.slice(0, 48)}… (${r.value.length} B)` : r.value;
  console.log('  %s  %s  TTL %d  %s', r.kind.padEnd(8), r.name.padEnd(40), r.ttl, shown);
}

const opened = openMessage(sealed.records, { identity: bob }, { now });
if (!opened.ok) {
  console.error('open failed: %s (%s)', opened.code, opened.detail);
  process.exit(1);
}
console.log('\nBob opens it: "%s"', new TextDecoder().decode(opened.value.body));
console.log(
  '  from ed25519 %s…, msg_id %s',
  toHex(opened.value.senderSpk).slice(0, 16),
  toHex(opened.value.msgId),
);

const tampered: TxtRecord[] = sealed.records.map((r) => {
  if (r.kind !== 'manifest') return r;
  const at = r.value.length - 10; // inside the signature
  const swapped = r.value[at] === 'A' ? 'B' : 'A';
  return { ...r, value: r.value.slice(0, at) + swapped + r.value.slice(at + 1) };
});
const refused = openMessage(tampered, { identity: bob }, { now });
console.log(
  '\nWith one character of the manifest changed: %s',
  refused.ok ? 'opened (unexpected!)' : `refused — ${refused.code}: ${refused.detail}`,
);
if (refused.ok) process.exit(1);
