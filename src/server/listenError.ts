import { UsageError } from '../errors.ts';

/** What the operating system's refusal to listen means for the address the user chose. */
const LISTEN_REFUSALS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use by another program: choose another port, or 0 for any free one',
  EACCES: 'this user may not listen on that port (ports below 1024 need privileges): choose a port of 1024 or more, or 0',
  EADDRNOTAVAIL: 'the address is not one of this machine\'s: choose one of its addresses (127.0.0.1 for this machine only)',
  ENOTFOUND: 'the host name does not resolve: choose one of this machine\'s addresses',
  EAI_AGAIN: 'the host name could not be resolved now: give an address instead',
};

/**
 * The error to report when a server or simulator cannot listen on the host
 * and port the user gave: a UsageError (the option cannot be used as given)
 * for the refusals an address or port explains, the error itself otherwise.
 */
export function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: unknown } | undefined)?.code;
  const why = typeof code === 'string' ? LISTEN_REFUSALS[code] : undefined;
  if (why === undefined) return error;
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new UsageError(`cannot listen on ${address} (${code}): ${why}`, 'CANNOT_LISTEN');
}
