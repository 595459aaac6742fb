import { Socket } from 'node:net';
import { ConnectionError } from '../src/errors.ts';

/**
 * Opens a TCP connection without Nagle's delay (records are small and
 * wanted at once): the socket once connected, or a ConnectionError naming
 * `address` if it cannot be. The caller adds its own `data`, `error` and
 * `close` handlers on the socket it gets.
 */
export function connectTcp(host: string, port: number, address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.setNoDelay(true);
    const refused = (error: Error) => reject(new ConnectionError(`${address}: ${error.message}`));
    socket.once('error', refused);
    socket.once('connect', () => {
      socket.off('error', refused);
      resolve(socket);
    });
    socket.connect(port, host);
  });
}
