'use strict';
// Times the first HTTP request of a fresh Node process, with fetch() or with node:http, to a server
// on 127.0.0.1 started by this process. Usage: node bench/first-request-probe.cjs fetch|http
const http = require('node:http');

const client = process.argv[2];
if (client !== 'fetch' && client !== 'http') {
  process.stderr.write('Usage: node bench/first-request-probe.cjs fetch|http\n');
  process.exit(2);
}

const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => response.end('{}'));
});

server.listen(0, '127.0.0.1', async () => {
  const url = `http://127.0.0.1:${server.address().port}/`;
  const started = performance.now();
  if (client === 'fetch') {
    await (await fetch(url, { method: 'POST', body: '{}' })).text();
  } else {
    await new Promise((resolve, reject) => {
      const request = http.request(url, { method: 'POST' }, (response) => {
        response.resume();
        response.on('end', resolve);
      });
      request.on('error', reject);
      request.end('{}');
    });
  }
  process.stdout.write(`${client} first request: ${(performance.now() - started).toFixed(1)} ms\n`);
  process.exit(0);
});
