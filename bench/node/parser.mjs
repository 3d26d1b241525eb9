// parser.mjs: eventsource-parser throughput, the way a Node client feeds it
//
//   node parser.mjs --modules DIR --file FILE [--chunk BYTES] [--reps N]
//                   [--expect-events N] [--expect-data N]
//
// The twin of bench-parser: the file is read into memory and cut into
// --chunk byte views first (not timed); each pass makes a TextDecoder and a
// parser (createParser({onEvent})) and feeds it
// decoder.decode(chunk, {stream: true}) for every chunk. One warm-up pass,
// then --reps timed ones; prints the median.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    modules: { type: 'string' },
    file: { type: 'string' },
    chunk: { type: 'string', default: '65536' },
    reps: { type: 'string', default: '5' },
    'expect-events': { type: 'string', default: '-1' },
    'expect-data': { type: 'string', default: '-1' },
  },
});

const { createParser } = await import(
  pathToFileURL(join(opt.modules, 'eventsource-parser', 'dist', 'index.js')).href);

const buf = readFileSync(opt.file);
let chunkSize = Number(opt.chunk);
if (chunkSize === 0) chunkSize = buf.length;
const chunks = [];
for (let off = 0; off < buf.length; off += chunkSize)
  chunks.push(buf.subarray(off, Math.min(off + chunkSize, buf.length)));

let events = 0;
let dataBytes = 0;

function pass() {
  events = 0;
  dataBytes = 0;
  const decoder = new TextDecoder();
  const parser = createParser({
    onEvent(event) {
      events++;
      dataBytes += event.data.length;
    },
  });
  const start = process.hrtime.bigint();
  for (const chunk of chunks)
    parser.feed(decoder.decode(chunk, { stream: true }));
  parser.feed(decoder.decode());
  parser.reset({ consume: true });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

pass(); // warm-up
const times = [];
for (let i = 0; i < Number(opt.reps); i++) times.push(pass());
times.sort((a, b) => a - b);
const n = times.length;
const median = n % 2 ? times[(n - 1) / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;

console.log(`impl=eventsource-parser chunk=${chunkSize} events=${events} bytes=${buf.length} ` +
            `data_bytes=${dataBytes} seconds=${median.toFixed(6)} ` +
            `mb_per_s=${(buf.length / median / 1e6).toFixed(1)} events_per_s=${(events / median).toFixed(0)}`);

const expectEvents = Number(opt['expect-events']);
const expectData = Number(opt['expect-data']);
if ((expectEvents >= 0 && events !== expectEvents) || (expectData >= 0 && dataBytes !== expectData)) {
  console.error(`parser.mjs: expected ${expectEvents} events with ${expectData} data bytes, ` +
                `got ${events} with ${dataBytes}`);
  process.exit(1);
}
