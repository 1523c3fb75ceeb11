#!/usr/bin/env node
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).catch((err) => {
  console.error(`charla: ${err?.stack ?? err}`);
  process.exit(1);
});
