/** The node's logger (`src/node/log.ts`): JSON lines name their level; the text form is unchanged; secrets are redacted. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createNodeLogger } from '../../src/node/log.js';

function capture(format: 'json' | 'text', level = 'debug') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createNodeLogger({ level, format, destination }) };
}

describe('createNodeLogger', () => {
  it('JSON: every level as its name, not pino’s number', () => {
    const { lines, logger } = capture('json');
    logger.debug('d');
    logger.info({ key: 'k' }, 'i');
    logger.warn('w');
    logger.error('e');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => [p.level, p.msg])).toEqual([
      ['debug', 'd'],
      ['info', 'i'],
      ['warn', 'w'],
      ['error', 'e'],
    ]);
    expect(parsed[1]).toEqual({ level: 'info', time: expect.any(String), key: 'k', msg: 'i' });
  });

  it('text: upper-case level names, fields as key=value', () => {
    const { lines, logger } = capture('text');
    logger.info({ outcome: 'applied', names: ['a.mesh.test'] }, 'DNS UPDATE applied');
    logger.warn('w');
    expect(lines[0]).toMatch(
      /^\S+ INFO DNS UPDATE applied outcome=applied names=\["a\.mesh\.test"\]$/,
    );
    expect(lines[1]).toMatch(/^\S+ WARN w$/);
  });

  it('the level filters, and "warning" means warn', () => {
    const { lines, logger } = capture('json', 'warning');
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['shown']);
  });

  it('secrets are redacted in both forms', () => {
    for (const format of ['json', 'text'] as const) {
      const { lines, logger } = capture(format);
      logger.info({ secret: 'hunter2', nested: { token: 't0k3n' } }, 'x');
      expect(lines.join('\n')).not.toMatch(/hunter2|t0k3n/);
    }
  });
});
