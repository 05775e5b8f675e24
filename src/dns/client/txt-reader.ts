/**
 * The read side of DMP's DNS use (core spec §11): look up the TXT RRset at
 * a name. A direct reader, a resolver pool, and later a cluster union
 * reader or a suffix-routing composite all implement this one interface.
 */
import type { TxtAnswer } from './txt-answer.js';

/**
 * Says whether an answer's values can be trusted (for DMP: the records
 * parse and their signatures verify). Must not throw; a throw counts as
 * `false`.
 */
export type TxtValidator = (values: readonly string[]) => boolean;

export interface ReadTxtOptions {
  readonly signal?: AbortSignal;
  /**
   * When given, an answer whose values fail it is treated as a wrong
   * answer: readers that can ask elsewhere do so (and a pool demotes the
   * source); a reader with a single source reports it as an error.
   */
  readonly validate?: TxtValidator;
}

/**
 * Reads TXT values. `readTxt` never rejects: failures come back as
 * `{status: 'error'}` so fan-out readers can combine results uniformly.
 */
export interface TxtReader {
  readTxt(name: string, options?: ReadTxtOptions): Promise<TxtAnswer>;
}

/** Runs a validator, treating an exception as "does not validate". */
export function runValidator(validate: TxtValidator, values: readonly string[]): boolean {
  try {
    return validate(values) === true;
  } catch {
    return false;
  }
}
