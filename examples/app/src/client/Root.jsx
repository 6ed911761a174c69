// The root of the React tree, shared by the server-side render (src/server/ssr.jsx) and the
// browser (src/client/entry.jsx), so hydration finds the markup it would have rendered itself.
import { Component, StrictMode, use, useEffect, useState } from 'react';

class ErrorBoundary extends Component {
  /** @type {{ error: unknown }} */
  state = { error: null };
  static getDerivedStateFromError(error) {
    return { error };
  }
  render() {
    if (this.state.error) {
      return (
        <p role="alert" data-testid="app-error">
          Something went wrong:{' '}
          {String(this.state.error instanceof Error ? this.state.error.message : this.state.error)}
        </p>
      );
    }
    return this.props.children;
  }
}

/**
 * @param {unknown} value
 * @returns {value is PromiseLike<unknown>}
 */
function isThenable(value) {
  return value !== null && typeof value === 'object' && 'then' in value && typeof value.then === 'function';
}

/**
 * Renders the server component tree decoded from a Flight payload (`initial`: a thenable).
 * `treeSetter.current` receives the state setter, so a Server Action's response can replace the
 * tree. Once hydrated in a browser, `<html data-hydrated>` is set (tests wait for it).
 * @param {{ initial: unknown, treeSetter?: { current: (tree: unknown) => void } }} props
 */
function App({ initial, treeSetter }) {
  const [tree, setTree] = useState(initial);
  if (treeSetter) treeSetter.current = setTree;
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true';
  }, []);
  return /** @type {import('react').ReactNode} */ (isThenable(tree) ? use(tree) : tree);
}

/** @param {{ initial: unknown, treeSetter?: { current: (tree: unknown) => void } }} props */
export function Root({ initial, treeSetter }) {
  return (
    <StrictMode>
      <ErrorBoundary>
        <App initial={initial} treeSetter={treeSetter} />
      </ErrorBoundary>
    </StrictMode>
  );
}
