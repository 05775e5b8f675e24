/** Terminal rendering of QR modules: two module rows per text line, explicit colours. */
import { describe, expect, it } from 'vitest';
import { drawModules } from '../../src/cli/qr.js';

describe('drawModules', () => {
  it('packs two rows per line with the top module in the foreground', () => {
    const lines = drawModules([
      [true, false],
      [false, true],
      [true, true],
    ]);
    expect(lines).toHaveLength(2);
    // Row 0/1: dark over light, then light over dark.
    expect(lines[0]).toBe('\x1b[30;47m▀\x1b[37;40m▀\x1b[0m');
    // Row 2 with no row 3: the missing bottom half is light.
    expect(lines[1]).toBe('\x1b[30;47m▀\x1b[30;47m▀\x1b[0m');
  });
});
