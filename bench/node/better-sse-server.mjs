// better-sse-server.mjs: the better-sse twin of bench-server's /subscribe
// and /broadcast, for the `server` set of bench/run
//
//   node better-sse-server.mjs --modules DIR [--port 0] [--backlog N]
//
// An http.Server on 127.0.0.1 (port 0: any free one, printed as "port=N" on
// the first line), listening with the given backlog (bench/run gives the
// one sse-glib uses: the system's maximum):
//
//   /subscribe   createSession() with better-sse's defaults (keep-alive
//                every 10 s, retry 2 s) but for the serializer (the data
//                as it is, not JSON), registered on one channel
//   /broadcast   channel.broadcast("<seq> <µs>"), with seq from 0 and the
//                CLOCK_MONOTONIC time in microseconds (process.hrtime reads
//                the clock that bench-subscribers reads), answering
//                "streams=N"
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    modules: { type: 'string' },
    port: { type: 'string', default: '0' },
    backlog: { type: 'string', default: '511' },
  },
});

const { createSession, createChannel } = await import(
  pathToFileURL(join(opt.modules, 'better-sse', 'build', 'index.mjs')).href);

const channel = createChannel();
let seq = 0;

const server = http.createServer(async (req, res) => {
  if (req.url.startsWith('/subscribe')) {
    const session = await createSession(req, res, { serializer: String });
    channel.register(session);
    return;
  }
  if (req.url.startsWith('/broadcast')) {
    const now = process.hrtime.bigint() / 1000n;
    channel.broadcast(`${seq++} ${now}`);
    res.writeHead(200, { 'Content-Type': 'text/plain', Connection: 'close' });
    res.end(`streams=${channel.sessionCount}\n`);
    return;
  }
  res.writeHead(404, { Connection: 'close' });
  res.end();
});

server.listen({ host: '127.0.0.1', port: Number(opt.port), backlog: Number(opt.backlog) }, () => {
  console.log(`port=${server.address().port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => process.exit(0));
