import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';

/** Local addresses (hex, as the kernel lists them) of the sockets listening on `port`, from /proc/net/tcp and tcp6. */
function listeningAddresses(port: number): string[] {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // Column 1 is "address:port", column 3 the state; 0A is LISTEN.
      .filter((cols) => cols[1]?.endsWith(`:${portHex}`) && cols[3] === '0A')
      .map((cols) => cols[1]?.split(':')[0] ?? ''),
  );
}

const LOOPBACK = new Set([
  '0100007F', // 127.0.0.1
  '0000000000000000FFFF00000100007F', // ::ffff:127.0.0.1
  '00000000000000000000000001000000', // ::1
]);

describe('Local cloud: DynamoDB Local', () => {
  it('listens on loopback only, though the jar alone would listen on every interface', () => {
    const port = Number(new URL(inject('emulators')?.dynamodb ?? 'http://127.0.0.1:0').port);
    const addresses = listeningAddresses(port);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(LOOPBACK, address).toContain(address);
  });
});
