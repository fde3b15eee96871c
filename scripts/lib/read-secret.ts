import { stdin, stdout } from 'node:process';

/** Reads a line from the terminal without echoing it. */
export function readSecret(prompt: string): Promise<string> {
  if (!stdin.isTTY)
    return Promise.reject(new Error('no terminal for a password prompt: use --password or ADMIN_PASSWORD'));
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
