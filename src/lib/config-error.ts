/** Raised when `env` does not describe a runnable service; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
