#!/usr/bin/env node
// Entry point of the `pvlab` command: the bundled CLI when present, else the tsc output.
const path = require('path');
const fs = require('fs');
const bundled = path.join(__dirname, '..', 'dist', 'cli.js');
const compiled = path.join(__dirname, '..', 'out', 'emulator', 'system', 'cli.js');
const cli = require(fs.existsSync(bundled) ? bundled : compiled);
process.exitCode = cli.main(process.argv.slice(2));
