/** Every exit code seqnet uses (README and `seqnet --help` list them). */
export const EXIT = {
  ok: 0,
  /** `eval --assert`: a gate failed */
  assertion: 1,
  usage: 2,
  data: 3,
  run: 4,
  engine: 5,
  /** training stopped: the loss became NaN / infinite or exploded */
  diverged: 6,
  bug: 70,
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    an --assert gate failed (seqnet eval)
  2    usage or config error
  3    data error
  4    run directory or checkpoint error
  5    engine (backend) error
  6    training diverged (NaN, infinite or exploding loss; see train.divergence_factor)
  70   internal error (a bug in seqnet)
  130  interrupted (Ctrl-C); the last checkpoint is saved`;

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
  /** the config file, or `config` where the check ran without knowing it (see `inFile`) */
  readonly source: string;
  constructor(source: string, problems: string[]) {
    super(`${source}: invalid config\n${problems.map((p) => `  - ${p}`).join('\n')}`, EXIT.usage);
    this.name = 'ConfigError';
    this.problems = problems;
    this.source = source;
  }

  /** The same problems, named against `file` (checks that run after loading, e.g. on the data's metrics). */
  inFile(file: string): ConfigError {
    return this.source === 'config' ? new ConfigError(file, this.problems) : this;
  }
}

/** A command-line flag or argument that cannot be used (a malformed --assert, an unwritable --out…). */
export class UsageError extends SeqnetError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** Input data that cannot be used: names the file and, where known, the line. */
export class DataError extends SeqnetError {
  constructor(message: string) {
    super(message, EXIT.data);
    this.name = 'DataError';
  }
}

/** A run directory or checkpoint that is missing, damaged or does not match. */
export class RunError extends SeqnetError {
  constructor(message: string) {
    super(message, EXIT.run);
    this.name = 'RunError';
  }
}

/** The engine asked for is not available. */
export class BackendError extends SeqnetError {
  constructor(message: string) {
    super(message, EXIT.engine);
    this.name = 'BackendError';
  }
}

export function isSeqnetError(e: unknown): e is SeqnetError {
  return e instanceof SeqnetError;
}

/** Training diverged; the run directory is intact (last/ holds the weights from before). */
export class DivergenceError extends SeqnetError {
  constructor(message: string) {
    super(message, EXIT.diverged);
    this.name = 'DivergenceError';
  }
}
