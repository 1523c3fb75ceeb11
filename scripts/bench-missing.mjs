#!/usr/bin/env node
console.error('npm run bench: the bench/ workspace is not built yet (see the benchmarks issue).');
process.exit(1);
