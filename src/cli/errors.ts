// The failures the CLI reports without a stack trace, each with its exit code.

/** A mistake in the command line: reported with the usage hint, exit code 2. */
export class UsageError extends Error {}
/** An error the user can act on (their code, their input): printed as is, exit code 1. */
export class InputError extends Error {}
/** A plugin option (from the command-line flags) rejected by the plugin: exit code 2. */
export class OptionError extends Error {}
