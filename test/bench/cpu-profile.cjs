// Preloaded with NODE_OPTIONS=--require (which refuses --cpu-prof): profiles this process from
// start to exit and writes a .cpuprofile (open in Chrome DevTools) into BENCH_CPU_PROF.
'use strict';
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
process.on('exit', () => {
  // An in-process session answers synchronously, so the file is written before the process ends.
  session.post('Profiler.stop', (err, result) => {
    if (!err)
      writeFileSync(
        join(process.env.BENCH_CPU_PROF, `api-${process.pid}.cpuprofile`),
        JSON.stringify(result.profile),
      );
  });
});
// Nest's shutdown hook closes the app on SIGTERM, then sends the signal again to die by it (no
// 'exit' event): that second one ends the process here instead, so the profile is written.
let signals = 0;
process.on('SIGTERM', () => {
  if (++signals > 1) process.exit(0);
});
