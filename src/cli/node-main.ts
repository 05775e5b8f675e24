#!/usr/bin/env node
/** `dnsmesh-node`: the node daemon's entry point (see node-program.ts). */
import { runNodeCli } from './node-program.js';
import { exitQuietlyOnBrokenPipe } from './output.js';

// `dnsmesh-node --help | head -1`, or a log pipe whose reader went away.
exitQuietlyOnBrokenPipe();
void runNodeCli(process.argv.slice(2));
