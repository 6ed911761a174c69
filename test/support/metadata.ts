import type { BabelFileResult } from '@babel/core';
import type { ServerReferenceMeta } from '../../src/plugin/index.js';

/** The server references the plugin recorded on a Babel result (`metadata.serverReferences`). */
export function serverReferencesOf(result: BabelFileResult | null): ServerReferenceMeta[] {
  const references = (result?.metadata as { serverReferences?: ServerReferenceMeta[] } | undefined)?.serverReferences;
  if (references === undefined) throw new Error('the Babel result carries no metadata.serverReferences');
  return references;
}
