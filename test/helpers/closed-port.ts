// A 127.0.0.1 TCP port nothing listens on (bound, then closed): a connection to it is refused at once.
// For the unreachable-endpoint tests and the benchmark row of the same name.
import { createServer } from "node:net";

export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
