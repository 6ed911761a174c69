export const repoRoot: string;
export const fixturesDir: string;

export interface Fixture {
  group: string;
  name: string;
  dir: string;
  inputFile: string;
  /** Plugin options: the group's options.json, then the case's over it. */
  options: Record<string, unknown>;
  /** The file name Babel sees, relative to the repository (harness.json), when not the input's own. */
  filename: string | undefined;
}

export function listFixtures(): Fixture[];
