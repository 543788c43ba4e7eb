#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm ci` (prepare script).
import { main } from '../dist/harness/cli/main.js';
main(process.argv).then((code) => { process.exitCode = code; });
