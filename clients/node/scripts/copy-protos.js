#!/usr/bin/env node
'use strict';
// npm pack's prepack: copies the repository's .proto files into this package's proto/ (gitignored), so the
// packed client loads them with no repository around; postpack (`--remove`) deletes the copy again, so a
// checkout keeps reading the repository's protos and a stale copy can never shadow them.
const fs = require('fs');
const path = require('path');

const PACKAGE = path.join(__dirname, '..');
const TARGET = path.join(PACKAGE, 'proto');
const SOURCES = [ // [name inside proto/, where it lives in the repository]
  ['hpl/v1/hpl.proto', path.join(PACKAGE, '..', '..', 'proto', 'hpl', 'v1', 'hpl.proto')],
  ['health.proto', path.join(PACKAGE, '..', 'proto', 'health.proto')],
];

fs.rmSync(TARGET, { recursive: true, force: true });
if (process.argv[2] !== '--remove') {
  for (const [name, source] of SOURCES) {
    if (!fs.existsSync(source)) {
      console.error(`copy-protos: ${source} not found: pack from a checkout of hpl-server`);
      process.exit(1);
    }
    fs.mkdirSync(path.dirname(path.join(TARGET, name)), { recursive: true });
    fs.copyFileSync(source, path.join(TARGET, name));
  }
}
