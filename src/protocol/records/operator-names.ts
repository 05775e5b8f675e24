/**
 * Owner names of the operator and discovery records (node.md §5.1, §6.1,
 * §6.3, §6.4): where cluster manifests, bootstrap records, rotation and
 * revocation RRsets, heartbeats and seen-graph copies live.
 *
 * Names are plain concatenations; no helper lower-cases. The cluster and
 * bootstrap forms validate their DNS name and drop one trailing dot; the
 * user-identity forms are `rotate.` + the identity's own owner name (every
 * trailing dot dropped); heartbeat zones are used verbatim.
 */
import { hashedIdentityName, zoneAnchoredIdentityName } from '../names.js';
import { ensure } from '../result.js';
import { dnsNameError, stripTrailingDot } from './dns-name.js';

/** Owner label of a node's own heartbeat. */
export const HEARTBEAT_OWNER_LABEL = '_dnsmesh-heartbeat';
/** Owner label of a node's republished seen-graph. */
export const SEEN_OWNER_LABEL = '_dnsmesh-seen';

function validDnsName(name: string, field: string): string {
  ensure(typeof name === 'string', `${field} must be a string`);
  const problem = dnsNameError(name);
  ensure(problem === undefined, `${field}: ${problem}`);
  return stripTrailingDot(name);
}

/**
 * `cluster.<cluster_name>`.
 *
 * @throws DmpEncodeError when `clusterName` is not a DNS name.
 */
export function clusterRrsetName(clusterName: string): string {
  return `cluster.${validDnsName(clusterName, 'clusterName')}`;
}

/**
 * `_dmp.<user_domain>`.
 *
 * @throws DmpEncodeError when `userDomain` is not a DNS name.
 */
export function bootstrapRrsetName(userDomain: string): string {
  return `_dmp.${validDnsName(userDomain, 'userDomain')}`;
}

/**
 * `rotate.cluster.<base>`: rotations of a cluster operator key.
 *
 * @throws DmpEncodeError when `clusterBaseDomain` is not a DNS name.
 */
export function clusterRotationRrsetName(clusterBaseDomain: string): string {
  return `rotate.cluster.${validDnsName(clusterBaseDomain, 'clusterBaseDomain')}`;
}

/**
 * `rotate._dmp.<user_domain>`: rotations of a bootstrap signer key.
 *
 * @throws DmpEncodeError when `userDomain` is not a DNS name.
 */
export function bootstrapRotationRrsetName(userDomain: string): string {
  return `rotate._dmp.${validDnsName(userDomain, 'userDomain')}`;
}

/**
 * `rotate.id-<hex16(sha256(username))>.<domain>`: rotations of a user
 * identity published under a shared mesh domain. The username is hashed as
 * given (no case folding); all trailing dots leave `domain`. (The reference
 * docs say `rotate.dmp.<hash>…`; the code builds this form.)
 */
export function userRotationRrsetName(username: string, domain: string): string {
  return `rotate.${hashedIdentityName(username, domain)}`;
}

/** `rotate.dmp.<identity_domain>`: rotations of a zone-anchored identity (all trailing dots dropped). */
export function zoneAnchoredRotationRrsetName(identityDomain: string): string {
  return `rotate.${zoneAnchoredIdentityName(identityDomain)}`;
}

/**
 * `_dnsmesh-heartbeat.<zone>`, zone verbatim.
 *
 * @throws DmpEncodeError when `zone` is empty.
 */
export function heartbeatRrsetName(zone: string): string {
  ensure(typeof zone === 'string' && zone.length > 0, 'zone must be non-empty');
  return `${HEARTBEAT_OWNER_LABEL}.${zone}`;
}

/**
 * `_dnsmesh-seen.<zone>`, zone verbatim.
 *
 * @throws DmpEncodeError when `zone` is empty.
 */
export function seenRrsetName(zone: string): string {
  ensure(typeof zone === 'string' && zone.length > 0, 'zone must be non-empty');
  return `${SEEN_OWNER_LABEL}.${zone}`;
}
