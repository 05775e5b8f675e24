import { describe, expect, it } from 'vitest';
import { type Ballot, tallyBallots } from '../../../src/dns/client/answer-votes.js';

const found = (...values: string[]): Ballot => ({ kind: 'found', values });
const absent: Ballot = { kind: 'absent' };

describe('tallyBallots', () => {
  it('lets a strict majority convict the minority', () => {
    expect(tallyBallots([found('evil'), found('a', 'b'), found('b', 'a')], false)).toEqual({
      winners: [1, 2],
      liars: [0],
      deniers: [],
    });
  });

  it('convicts nobody on a split vote and prefers the first-seen group', () => {
    expect(tallyBallots([found('x'), found('y')], false)).toEqual({
      winners: [0],
      liars: [],
      deniers: [],
    });
    expect(tallyBallots([found('x'), found('y'), absent, absent], false)).toEqual({
      winners: [2, 3],
      liars: [],
      deniers: [],
    });
  });

  it('lets a verified positive answer overrule "absent" and charges the deniers', () => {
    expect(tallyBallots([absent, absent, found('v')], true)).toEqual({
      winners: [2],
      liars: [],
      deniers: [0, 1],
    });
    expect(tallyBallots([absent, absent, found('v')], false)).toEqual({
      winners: [0, 1],
      liars: [2],
      deniers: [],
    });
  });

  it('returns undefined without ballots', () => {
    expect(tallyBallots([], true)).toBeUndefined();
  });
});
