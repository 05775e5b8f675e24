/** passphraseWeakness: a hint for people choosing a passphrase, not a strength meter. */
import { describe, expect, it } from 'vitest';
import { passphraseWeakness } from '../../src/cli/passphrase-choice.js';

describe('passphraseWeakness', () => {
  it.each([
    ['', 'alice', /empty/],
    ['Password123', 'alice', /commonly used/],
    ['alice2026!', 'alice', /username/],
    ['short one', 'bob', /fewer than 12/],
    ['aaaaaaaaaaaaaaaa', 'bob', /repeats/],
  ])('%j for %s is weak', (p, user, why) => {
    expect(passphraseWeakness(p, user)).toMatch(why);
  });

  it.each(['tulip orbit canyon mellow', 'correct horse battery staple', 'Zq8#kLp2!vRx'])(
    '%j passes',
    (p) => {
      expect(passphraseWeakness(p, 'alice')).toBeUndefined();
    },
  );
});
