// client.mjs: Node's `eventsource` package, end to end
//
//   node client.mjs --modules DIR --url URL --count N [--latency] [--expect-data N]
//
// The twin of bench-client: one EventSource, listeners for the workloads'
// event types ("message", "update", "tick"), closed at the N-th event.
// Throughput: the time from just before the EventSource is made to the N-th
// event. --latency: the data is "<seq> <CLOCK_MONOTONIC µs at send>", and
// process.hrtime() reads CLOCK_MONOTONIC too on Linux; prints p50/p99/max of
// receive − send.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    modules: { type: 'string' },
    url: { type: 'string' },
    count: { type: 'string' },
    latency: { type: 'boolean', default: false },
    'expect-data': { type: 'string', default: '-1' },
    timeout: { type: 'string', default: '300' },
  },
});

const { EventSource } = await import(
  pathToFileURL(join(opt.modules, 'eventsource', 'dist', 'index.js')).href);

const expected = Number(opt.count);
const delays = opt.latency ? new Float64Array(expected) : null;
let events = 0;
let dataBytes = 0;
let end = 0n;

const timer = setTimeout(() => {
  console.error(`client.mjs: timed out after ${events} of ${expected} events`);
  process.exit(1);
}, Number(opt.timeout) * 1000);

const start = process.hrtime.bigint();
const es = new EventSource(opt.url);

function onEvent(event) {
  if (delays) {
    const now = process.hrtime.bigint() / 1000n;
    const sent = BigInt(event.data.split(' ')[1]);
    delays[events] = Number(now - sent);
  }
  events++;
  dataBytes += event.data.length;
  if (events === expected) {
    end = process.hrtime.bigint();
    es.close();
    clearTimeout(timer);
    report();
  }
}

for (const type of ['message', 'update', 'tick'])
  es.addEventListener(type, onEvent);
es.addEventListener('error', (err) => {
  if (events < expected) console.error(`client.mjs: error: ${err.message ?? err}`);
});

function percentile(sorted, p) {
  const rank = Math.min(Math.max(Math.ceil((p / 100) * sorted.length), 1), sorted.length);
  return sorted[rank - 1];
}

function report() {
  if (delays) {
    delays.sort();
    console.log(`impl=node-eventsource events=${events} p50_us=${percentile(delays, 50)} ` +
                `p99_us=${percentile(delays, 99)} max_us=${delays[delays.length - 1]}`);
  } else {
    const seconds = Number(end - start) / 1e9;
    console.log(`impl=node-eventsource events=${events} data_bytes=${dataBytes} ` +
                `seconds=${seconds.toFixed(6)} events_per_s=${(events / seconds).toFixed(0)}`);
  }
  const expectData = Number(opt['expect-data']);
  if (expectData >= 0 && dataBytes !== expectData) {
    console.error(`client.mjs: expected ${expectData} data bytes, got ${dataBytes}`);
    process.exit(1);
  }
  process.exit(0);
}
