/**
 * Two kinds of error: a SeqnetError is the user's to fix (bad config, missing file, bad data,
 * incompatible checkpoint) and prints without a stack; anything else is a bug.
 */
export class SeqnetError extends Error {
  /** exit code the CLI uses for this error */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'SeqnetError';
    this.exitCode = exitCode;
  }
}

/** A config that fails validation; `problems` are `path.to.key: message` lines. */
export class ConfigError extends SeqnetError {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`${source}: invalid config\n${problems.map((p) => `  - ${p}`).join('\n')}`, 2);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Input data that cannot be used: names the file and, where known, the line. */
export class DataError extends SeqnetError {
  constructor(message: string) {
    super(message, 3);
    this.name = 'DataError';
  }
}

/** A run directory or checkpoint that is missing, damaged or does not match. */
export class RunError extends SeqnetError {
  constructor(message: string) {
    super(message, 4);
    this.name = 'RunError';
  }
}

/** The engine asked for is not available. */
export class BackendError extends SeqnetError {
  constructor(message: string) {
    super(message, 5);
    this.name = 'BackendError';
  }
}

export function isSeqnetError(e: unknown): e is SeqnetError {
  return e instanceof SeqnetError;
}
