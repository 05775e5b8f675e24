/**
 * Stand-in transports for local-only commands (`identity show`, `intro *`):
 * they never touch the network, even in cluster mode, so any use of these
 * is a programming error and fails loudly.
 */
import type { RecordWriter } from '../dns/client/record-writer.js';
import type { TxtReader } from '../dns/client/txt-reader.js';

export const offlineReader: TxtReader = {
  readTxt: async () => {
    throw new Error('this command is local-only and must not read DNS');
  },
};

export const offlineWriter: RecordWriter = {
  publish: async () => {
    throw new Error('this command is local-only and must not write records');
  },
  delete: async () => {
    throw new Error('this command is local-only and must not write records');
  },
};
