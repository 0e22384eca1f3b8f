// Baseline (a), HTTP: bare node:http answering GET /users/:id from memory. Nothing else.
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { portArg, USER_ID, USER_JSON } from './user.mjs';

const users = new Map([[USER_ID, JSON.stringify(USER_JSON)]]);
const PREFIX = '/users/';

createServer((req, res) => {
  const body = req.method === 'GET' && req.url.startsWith(PREFIX) ? users.get(req.url.slice(PREFIX.length)) : undefined;
  if (body === undefined) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(portArg('http'), '127.0.0.1');
