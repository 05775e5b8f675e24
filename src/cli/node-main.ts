#!/usr/bin/env node
/** `dnsmesh-node`: the node daemon's entry point (see node-program.ts). */
import { runNodeCli } from './node-program.js';

void runNodeCli(process.argv.slice(2));
