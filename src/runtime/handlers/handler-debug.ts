/**
 * The handlers' debug hook. Without one in the options, messages go to the runtime's debug log
 * (`USE_CACHE_DEBUG=1` or `configureCache({ debug })`) as `handler-error` / `handler-recovered`
 * events. A hook that throws is ignored: logging never fails a call.
 */
import { debug as runtimeDebug, type DebugEvent } from '../debug.js';

export type DebugHook = (message: string) => void;
export type HandlerLog = (message: string, event?: Extract<DebugEvent, 'handler-error' | 'handler-recovered'>) => void;

export function handlerDebug(name: string, hook: DebugHook | undefined): HandlerLog {
  return (message, event = 'handler-error') => {
    const line = `${name} handler: ${message}`;
    if (!hook) return runtimeDebug(event, line);
    try {
      hook(line);
    } catch {
      // ignored
    }
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
