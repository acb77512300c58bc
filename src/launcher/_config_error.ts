/**
 * A bad configuration: one line naming the variable (or the file), what it accepts and what was
 * given. `UnknownVariableError`: a DITA_V2_* variable nothing reads, with the closest known name.
 *
 * Invariant: a command that ends with a ConfigError exits 2 (`exitCode`, read by src/cli/_fail.ts),
 * the CLI's "bad arguments: nothing was done", never 1, which each command gives its own meaning
 * (replay: the journal cannot be read; healthcheck: unhealthy; a change: it may have been applied).
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly exitCode = 2;
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }

  /** A ConfigError whose sentence already names its variable first ("BINGX_API_KEY is not set"): shown as it is. */
  static sentence(variable: string, sentence: string): ConfigError {
    const e = new ConfigError(variable, "");
    e.message = sentence;
    return e;
  }
}

export class UnknownVariableError extends ConfigError {
  constructor(
    variable: string,
    readonly closest: string,
  ) {
    super(variable, "");
    this.message = `${variable} is not a DITAv2 variable (did you mean ${closest}?)`;
  }
}
