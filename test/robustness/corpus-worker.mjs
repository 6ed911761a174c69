// Worker thread of runCorpus (corpus-lib.mjs): checks the files it is sent, one message each.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { transformSync } from '@babel/core';
import { parse } from '@babel/parser';
import { checkFile } from './corpus-lib.mjs';

const plugin = (await import(workerData.pluginUrl)).default;

parentPort.on('message', ({ file, injectSeed }) => {
  let result;
  try {
    result = checkFile({ transformSync, parse, plugin }, file, readFileSync(file, 'utf8'), { injectSeed });
  } catch (error) {
    // A failure of the harness itself (or a stack overflow escaping Babel): reported, never lost.
    result = {
      file,
      outcome: 'failed',
      problems: [{ kind: 'harness-error', message: String(error?.stack ?? error) }],
      diagnostics: [],
      references: 0,
    };
  }
  parentPort.postMessage(result);
});
