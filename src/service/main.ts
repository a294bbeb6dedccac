/**
 * The container's entry point: `node dist/service/main.js`. Settings come from the environment (see
 * config.ts); logs are JSON lines on stdout. A bad setting or a busy port is one JSON error line and exit 1.
 */
import { loadServiceConfig } from './config.js';
import { createJsonLogger } from './logger.js';
import { startDocQaServer } from './server.js';

const logger = createJsonLogger({ batch: true });

try {
  const config = loadServiceConfig();
  const server = await startDocQaServer({
    ...config.options,
    port: config.port,
    host: config.host,
    ...(config.probePort === undefined ? {} : { probePort: config.probePort }),
    ...(config.livenessStaleMs === undefined ? {} : { livenessStaleMs: config.livenessStaleMs }),
    logger,
  });
  logger.log('info', 'listening', {
    url: server.url,
    ...(server.probeUrl ? { probe_url: server.probeUrl } : {}),
    mode: config.options.mode,
  });
  if (config.options.mode === 'generative' && !config.options.gemini?.apiKey) {
    logger.log(
      'warn',
      'GEMINI_API_KEY is not set: every answer will fall back to extractive (reason missing_key)',
    );
  }
  server.service.ready.catch(() => {
    // Logged by the app; the process keeps serving /healthz and answers /readyz with 503.
  });
  await server.closed;
  logger.log('info', 'stopped');
} catch (error) {
  logger.log('error', 'failed to start', { error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
}
