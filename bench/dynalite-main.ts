// Runs dynalite in its own process for the timed benchmark runs and prints its endpoint on stdout.
import { startDynalite } from '../infra/local/dynalite-server.js';

const server = await startDynalite();
process.stdout.write(`${server.endpoint}\n`);
process.on('SIGTERM', () => {
  void server.close().finally(() => process.exit(0));
});
