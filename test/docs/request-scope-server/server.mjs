// server.mjs: one request scope per request
import http from 'node:http';
import { withRequestScope } from 'babel-plugin-use-cache/runtime';
// Your request handler, and your own draft-mode check (a secret preview cookie or header).
import { handle, isPreview } from './app.mjs';

http
  .createServer((req, res) => withRequestScope(() => handle(req, res), { draftMode: isPreview(req) }))
  .listen(Number(process.env.PORT ?? 3000));
