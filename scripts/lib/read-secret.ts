import { stdin, stdout } from 'node:process';
import { CliError } from './cli-error';

/** Reads a line from the terminal without echoing it. */
export function readSecret(prompt: string): Promise<string> {
  if (!stdin.isTTY) {
    throw new CliError('no terminal for a password prompt: pipe the password in with --password-stdin');
  }
  stdout.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve) => {
    let value = '';
    const onData = (key: string) => {
      for (const char of key) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          stdout.write('\n');
          resolve(value);
          return;
        }
        if (char === '\u0003') process.exit(130);
        value = char === '\u007f' ? value.slice(0, -1) : value + char;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * All of stdin, less one trailing newline (`echo` and `cat file` add one; `docker login
 * --password-stdin` trims it the same way). Anything else is part of the password.
 */
export async function readStdin(): Promise<string> {
  let text = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) text += chunk;
  return text.replace(/\r?\n$/, '');
}
