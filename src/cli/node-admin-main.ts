#!/usr/bin/env node
/** `dnsmesh-node-admin`: the token and audit commands of `dnsmesh-node` (see node-token-commands.ts). */
import { runNodeAdminCli } from './node-program.js';
import { exitQuietlyOnBrokenPipe } from './output.js';

exitQuietlyOnBrokenPipe();
void runNodeAdminCli(process.argv.slice(2));
