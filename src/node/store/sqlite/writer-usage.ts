/**
 * What each writer holds in the record store — rows and value bytes — kept
 * in memory and moved by every write, so the per-writer limits
 * (docs/security.md, "Per-writer limits") cost a map lookup per write
 * instead of a count over the table.
 *
 * Writers are stored as pseudonyms: HMAC-SHA256 of the writer identity
 * (`s:alice@mesh.test`, `n:192.0.2`) under a key drawn when the store opens
 * and never written anywhere. The running node charges each write to its
 * writer; a copy of the database file cannot tell which subject or network
 * wrote a shared-pool record — the same split the token audit keeps for
 * shared-pool writes (node spec §4.2). The price is that after a restart the
 * rows written before it belong to no writer the node can name, so each
 * writer's quota starts again from what it writes next; the node-wide row
 * cap still bounds the total. The identity's class (its text before the
 * first ':') is kept in clear, so class totals — e.g. every anonymous
 * claim — survive restarts.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { WriterUsage } from '../types.js';

const NONE: WriterUsage = Object.freeze({ rows: 0, bytes: 0 });

interface Tally {
  rows: number;
  bytes: number;
}

/** The class of a writer identity or pseudonym: its text before the first ':' ('' when none). */
export function writerClass(writer: string): string {
  const colon = writer.indexOf(':');
  return colon < 0 ? '' : writer.slice(0, colon);
}

/** Per-writer and per-class tallies with an undo journal for rolled-back transactions. */
export class WriterUsageBook {
  private readonly key = randomBytes(32);
  private readonly pseudonyms = new Map<string, string>();
  private readonly writers = new Map<string, Tally>();
  private readonly classes = new Map<string, Tally>();
  // (pseudonym, rows, bytes) deltas applied since the outermost open
  // transaction began; undone when it, or a savepoint inside it, fails.
  private readonly journal: Array<[string, number, number]> = [];

  /**
   * The stored form of `writer`: '' stays '' (the operator; not counted),
   * anything else becomes `<class>:<22 base64url chars>`. Memoised: the
   * number of distinct writers is bounded by the write budgets.
   */
  pseudonym(writer: string): string {
    if (writer === '') return '';
    let p = this.pseudonyms.get(writer);
    if (p === undefined) {
      const mac = createHmac('sha256', this.key).update(writer).digest('base64url').slice(0, 22);
      p = `${writerClass(writer)}:${mac}`;
      if (this.pseudonyms.size >= 100_000) this.pseudonyms.clear();
      this.pseudonyms.set(writer, p);
    }
    return p;
  }

  /** Usage of a pseudonym. */
  usageOf(pseudonym: string): WriterUsage {
    return this.writers.get(pseudonym) ?? NONE;
  }

  /** Usage of a class, across restarts. */
  classUsage(cls: string): WriterUsage {
    return this.classes.get(cls) ?? NONE;
  }

  /** Seeds the class tallies from the rows found when the store opens. */
  seedClass(cls: string, rows: number, bytes: number): void {
    bump(this.classes, cls, rows, bytes);
  }

  /** Adds (or, negative, removes) rows and bytes for `pseudonym`; '' is not counted. */
  charge(pseudonym: string, rows: number, bytes: number, journaled: boolean): void {
    if (pseudonym === '') return;
    bump(this.writers, pseudonym, rows, bytes);
    bump(this.classes, writerClass(pseudonym), rows, bytes);
    if (journaled) this.journal.push([pseudonym, rows, bytes]);
  }

  /** Journal position, to undo back to. */
  mark(): number {
    return this.journal.length;
  }

  /** Reverts every charge made since `mark`. */
  undo(mark: number): void {
    while (this.journal.length > mark) {
      const [p, rows, bytes] = this.journal.pop()!;
      this.charge(p, -rows, -bytes, false);
    }
  }

  /** Forgets the journal once the outermost transaction committed. */
  settle(): void {
    this.journal.length = 0;
  }
}

function bump(map: Map<string, Tally>, key: string, rows: number, bytes: number): void {
  const t = map.get(key);
  if (t === undefined) {
    if (rows > 0) map.set(key, { rows, bytes });
    return;
  }
  t.rows += rows;
  t.bytes += bytes;
  if (t.rows <= 0) map.delete(key);
}
