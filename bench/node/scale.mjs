// scale.mjs: many idle `eventsource` clients in one Node process, then a
// broadcast (the optional Node twin of bench-scale)
//
//   node --expose-gc scale.mjs --modules DIR --url http://127.0.0.1:PORT [--n 1000]
//
// Same steps as bench-scale: one warm-up source opened and closed, RSS
// (after a GC), N sources on URL/scale, all open, RSS again (after a GC),
// GET URL/broadcast, and the time until all N got the event.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    modules: { type: 'string' },
    url: { type: 'string' },
    n: { type: 'string', default: '1000' },
    timeout: { type: 'string', default: '120' },
  },
});

const { EventSource } = await import(
  pathToFileURL(join(opt.modules, 'eventsource', 'dist', 'index.js')).href);

const n = Number(opt.n);
const scaleUrl = `${opt.url}/scale`;
const timer = setTimeout(() => {
  console.error('scale.mjs: timed out');
  process.exit(1);
}, Number(opt.timeout) * 1000);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const rss = () => { globalThis.gc?.(); return process.memoryUsage().rss; };

function openOne(onMessage) {
  return new Promise((resolve, reject) => {
    const es = new EventSource(scaleUrl);
    es.onopen = () => resolve(es);
    es.onerror = (err) => { if (es.readyState !== EventSource.OPEN) reject(err); };
    if (onMessage) es.onmessage = onMessage;
  });
}

const warm = await openOne();
warm.close();
await sleep(200);
const rssBefore = rss();

const delays = new Float64Array(n);
let received = 0;
let allReceived;
const done = new Promise((resolve) => { allReceived = resolve; });
function onMessage(event) {
  const now = process.hrtime.bigint() / 1000n;
  delays[received++] = Number(now - BigInt(event.data.split(' ')[1]));
  if (received === n) allReceived();
}

const openStart = process.hrtime.bigint();
const sources = await Promise.all(Array.from({ length: n }, () => openOne(onMessage)));
const openMs = Number(process.hrtime.bigint() - openStart) / 1e6;
await sleep(200);
const rssOpen = rss();

await fetch(`${opt.url}/broadcast`).then((r) => r.text());
await done;
const stats = (await fetch(`${opt.url}/stats`).then((r) => r.text())).trim();
delays.sort();
clearTimeout(timer);
console.log(`impl=node-eventsource n=${n} open=${sources.length} rss_before_kib=${Math.round(rssBefore / 1024)} ` +
            `rss_open_kib=${Math.round(rssOpen / 1024)} kib_per_source=${((rssOpen - rssBefore) / 1024 / n).toFixed(1)} ` +
            `open_all_ms=${openMs.toFixed(1)} broadcast_p50_ms=${(delays[Math.ceil(n / 2) - 1] / 1000).toFixed(3)} ` +
            `broadcast_max_ms=${(delays[n - 1] / 1000).toFixed(3)} ` +
            `server_${stats.startsWith('fanout_ms=') ? stats : 'fanout_ms=nan'}`);
for (const es of sources) es.close();
process.exit(0);
