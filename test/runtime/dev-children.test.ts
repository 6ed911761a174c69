// With React's development builds, elements carry debug information: their owner (the component
// that created them, with its props) and stacks. A cached component's body used to run as part of
// the first caller's render, so its elements were owned by that caller's component, whose props
// (the caller's children) were stored with the entry and sent again in every later hit's payload.
// The body now runs as the root component of its own render: what is stored, and what a hit
// sends, holds only the current caller's values, in development as in production.
import { beforeEach, describe, expect, it } from 'vitest';
import { createElement, type ReactNode } from 'react';
// @ts-expect-error -- react-server-dom-webpack publishes no types.
import { renderToReadableStream } from 'react-server-dom-webpack/server';
import { cacheFunction, configureCache, resetCache } from '../../src/runtime/index.js';
import { recordingHandler, renderFlight, textOf, uid } from './helpers.js';

beforeEach(() => resetCache());

/** The Flight payload (text) of rendering `node`, as a server sends it. */
async function payloadOf(node: ReactNode): Promise<string> {
  const failures: unknown[] = [];
  const stream = renderToReadableStream(node, {}, { onError: (error: unknown) => void failures.push(error) });
  const text = await new Response(stream as ReadableStream<Uint8Array>).text();
  expect(failures).toEqual([]);
  return text;
}

function Inner({ children }: { children?: ReactNode }) {
  return createElement('div', { className: 'inner' }, children);
}

describe('development builds: a hit carries only its own caller’s values', () => {
  it('a cached component whose children differ per caller: no payload holds another caller’s children', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const Card = cacheFunction(
      uid('card'),
      'default',
      async function Card({ title, children }: { title: string; children?: ReactNode }) {
        return createElement('section', null, createElement('h2', null, title), createElement(Inner, null, children));
      },
    );
    const first = await payloadOf(
      createElement(Card, { title: 'T' }, createElement('i', null, 'secret-of-caller-one')),
    );
    expect(first).toContain('secret-of-caller-one');
    const second = await payloadOf(createElement(Card, { title: 'T' }, createElement('i', null, 'caller-two')));
    expect(second).toContain('caller-two');
    expect(second).not.toContain('secret-of-caller-one');
    // Nor does the stored entry hold it: another instance sharing the store would send it too.
    expect(recorder.sets).toHaveLength(1);
    expect(Buffer.from(recorder.sets[0]!.entry.value).toString()).not.toContain('secret-of-caller-one');
    // The hit renders the second caller's children.
    expect(textOf(await renderFlight(createElement(Card, { title: 'T' }, createElement('b', null, 'three'))))).toBe(
      'Tthree',
    );
  });

  it('nor other props of the first caller’s components above the cached one', async () => {
    const Cached = cacheFunction(uid('leaf'), 'default', async function Leaf() {
      return createElement('p', null, 'shared');
    });
    function Page({ user }: { user: string }) {
      return createElement('main', null, user, createElement(Cached));
    }
    await payloadOf(createElement(Page, { user: 'alice@example.com' }));
    const second = await payloadOf(createElement(Page, { user: 'bob@example.com' }));
    expect(second).toContain('bob@example.com');
    expect(second).not.toContain('alice@example.com');
  });

  it('errors thrown by the body still reach the caller as thrown, and nothing is stored', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const boom = new Error('boom');
    const Failing = cacheFunction(uid('failing'), 'default', async () => {
      throw boom;
    });
    await expect(Failing()).rejects.toBe(boom);
    expect(recorder.sets).toHaveLength(0);
  });
});
