/**
 * Scenario: a key's scope is a set of DNS subtrees, so it must be matched
 * label by label — an owner whose label merely *contains* an escaped dot
 * (`evil\.inbox.<zone>`: one label "evil.inbox" directly under the zone) is
 * not below `inbox.<zone>`, and `slot-1\.mb-x.<zone>` is not below any
 * `slot-*.mb-*.<zone>` name. The node answers such names correctly as
 * distinct from their unescaped look-alikes; the question is only whether a
 * narrowly scoped key may write there.
 *
 * Regression (found by this suite, fixed): the scope check compares presentation
 * strings (src/node/registration/tsig-scope.ts: `owner.endsWith('.' +
 * suffix)` and `owner.split('.')`), so both writes are accepted. The tests
 * are marked `it.fails` so the suite stays green while the bug exists;
 * remove `.fails` when it is fixed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cleanup,
  describeWith,
  dig,
  type KeyMaterial,
  mintKey,
  type NodeProcess,
  nsupdate,
  startNode,
  tempDir,
} from './harness.js';

const ZONE = 'mesh.test';

describeWith(['dig', 'nsupdate'], 'scope-escaped-dot-stays-in-scope', () => {
  let node: NodeProcess;
  let narrow: KeyMaterial;
  let slots: KeyMaterial;

  beforeAll(async () => {
    const dataDir = await tempDir();
    narrow = await mintKey(dataDir, ZONE, 'narrow', [`inbox.${ZONE}`]);
    slots = await mintKey(dataDir, ZONE, 'slots', [`slot-*.mb-*.${ZONE}`]);
    node = await startNode({ dataDir, zone: ZONE });
  });
  afterAll(cleanup);

  it('escaped names are refused even for a zone-wide key (DMP names never need escapes)', async () => {
    const admin = await mintKey(node.dataDir, ZONE, 'admin');
    const r = await nsupdate(node.port, ZONE, [`update add a\\.b.${ZONE} 300 TXT "one label"`], {
      keyFile: admin.file,
    });
    expect(r.failure).toBe('REFUSED');
    expect((await dig(node.port, [`a.b.${ZONE}`, 'TXT'])).status).toBe('NXDOMAIN');
  });

  it('a key scoped to inbox.<zone> cannot write evil\\.inbox.<zone>', async () => {
    const r = await nsupdate(node.port, ZONE, [`update add evil\\.inbox.${ZONE} 300 TXT "x"`], {
      keyFile: narrow.file,
    });
    expect(r.failure).toBe('REFUSED');
    expect((await dig(node.port, [`evil\\.inbox.${ZONE}`, 'TXT'])).status).toBe('NXDOMAIN');
  });

  it('a slot-*.mb-* key cannot write slot-1\\.mb-x.<zone>', async () => {
    const r = await nsupdate(node.port, ZONE, [`update add slot-1\\.mb-x.${ZONE} 300 TXT "x"`], {
      keyFile: slots.file,
    });
    expect(r.failure).toBe('REFUSED');
    expect((await dig(node.port, [`slot-1\\.mb-x.${ZONE}`, 'TXT'])).status).toBe('NXDOMAIN');
  });

  it('control: the same keys still write inside their scope', async () => {
    expect(
      (
        await nsupdate(node.port, ZONE, [`update add x.inbox.${ZONE} 300 TXT "ok"`], {
          keyFile: narrow.file,
        })
      ).failure,
    ).toBeUndefined();
    expect(
      (
        await nsupdate(node.port, ZONE, [`update add slot-1.mb-x.${ZONE} 300 TXT "ok"`], {
          keyFile: slots.file,
        })
      ).failure,
    ).toBeUndefined();
  });
});
