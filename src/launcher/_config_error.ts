/**
 * A bad configuration: one line naming the variable (or the file), what it accepts and what was
 * given. `UnknownVariableError`: a DITA_V2_* variable nothing reads, with the closest known name.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
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
