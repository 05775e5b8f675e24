/**
 * names.json owner-name kinds of the operator and discovery records:
 * cluster_rrset, bootstrap_rrset, rotation_* and heartbeat/seen names.
 */
import { expect, it } from 'vitest';
import {
  bootstrapRotationRrsetName,
  bootstrapRrsetName,
  clusterRotationRrsetName,
  clusterRrsetName,
  heartbeatRrsetName,
  seenRrsetName,
  userRotationRrsetName,
  zoneAnchoredRotationRrsetName,
} from '../../src/protocol/records/operator-names.js';
import { DmpEncodeError } from '../../src/protocol/result.js';
import { describeVectors, haveVectors, loadVectors } from './vectors.js';

type Case = any;

/** names.json kind → the helper, fed from the case's input fields. */
const HELPERS: Record<string, (c: Case) => string> = {
  cluster_rrset: (c) => clusterRrsetName(c.cluster_name),
  bootstrap_rrset: (c) => bootstrapRrsetName(c.user_domain),
  rotation_cluster: (c) => clusterRotationRrsetName(c.cluster_base_domain),
  rotation_bootstrap: (c) => bootstrapRotationRrsetName(c.user_domain),
  rotation_user_identity: (c) => userRotationRrsetName(c.username, c.domain),
  rotation_zone_anchored: (c) => zoneAnchoredRotationRrsetName(c.domain),
  heartbeat_name: (c) => heartbeatRrsetName(c.zone),
  seen_name: (c) => seenRrsetName(c.zone),
};

const cases: Case[] = haveVectors ? loadVectors('names.json').cases : [];

describeVectors('names.json — operator owner names', () => {
  it('has cases for every operator name kind, including refusals', () => {
    for (const kind of Object.keys(HELPERS)) {
      expect(cases.filter((c) => c.kind === kind).length, kind).toBeGreaterThan(0);
    }
    expect(cases.some((c) => c.kind in HELPERS && c.expected_error !== undefined)).toBe(true);
  });

  cases
    .filter((c) => c.kind in HELPERS)
    .forEach((c, i) => {
      const outcome = c.expected_error === undefined ? c.expected : `error (${c.expected_error})`;
      it(`#${i} ${c.kind} ${JSON.stringify(c)} → ${outcome}`, () => {
        const build = () => HELPERS[c.kind]!(c);
        if (c.expected_error !== undefined) expect(build).toThrow(DmpEncodeError);
        else expect(build()).toBe(c.expected);
      });
    });
});
