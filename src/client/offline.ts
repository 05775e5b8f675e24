/**
 * Stand-in transports for commands that must not touch the network
 * (`identity show`, `intro list|accept|trust|block`, cli.md §3.3): a client
 * built without a reader or writer gets these, and any accidental network
 * use fails at once with a message saying what to configure.
 */
import { DnsRequestError } from '../dns/client/errors.js';
import {
  RecordWriteError,
  type RecordWriter,
  type WriteOperation,
} from '../dns/client/record-writer.js';
import type { TxtAnswer } from '../dns/client/txt-answer.js';
import type { TxtReader } from '../dns/client/txt-reader.js';

const HINT = 'configure an endpoint or resolvers (`init --endpoint …`) for network commands';

/** A reader that answers every lookup with an error and sends nothing. */
export const offlineReader: TxtReader = {
  readTxt: async (name): Promise<TxtAnswer> => ({
    status: 'error',
    error: new DnsRequestError(`no DNS reader configured to look up ${name}; ${HINT}`),
  }),
};

function refuse(operation: WriteOperation, name: string): never {
  throw new RecordWriteError(
    'unreachable',
    operation,
    name,
    'offline',
    'no writer configured',
    HINT,
  );
}

/** A writer that refuses every write and sends nothing. */
export const offlineWriter: RecordWriter = {
  publish: async (name) => refuse('publish', name),
  delete: async (name) => refuse('delete', name),
};
