/**
 * `gitops-lab serve`: validates the flags and environment, starts the doc-QA service, prints where it listens
 * and how to try it, and runs until Ctrl-C or SIGTERM. Request logs: JSON lines, or short lines on a TTY.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { LabError, UsageError } from '../../errors.js';
import { loadServiceConfig, ServiceConfigError } from '../../service/config.js';
import { FaultSpecError, parseFaults } from '../../service/faults.js';
import { createJsonLogger, type Logger } from '../../service/logger.js';
import { ServerStartError, startDocQaServer } from '../../service/server.js';
import { defaultStreams, isInteractive, type OutputStreams, paint, writeLine } from '../output.js';
import { parseOptions } from '../validate.js';

export const ServeOptionsSchema = z.object({
  port: z.coerce
    .number({ error: 'expected a port number from 0 to 65535' })
    .int({ error: 'expected a port number from 0 to 65535' })
    .min(0, { error: 'expected a port number from 0 to 65535' })
    .max(65535, { error: 'expected a port number from 0 to 65535' })
    .optional(),
  host: z.string().trim().min(1, { error: 'expected an address such as 127.0.0.1 or 0.0.0.0' }).optional(),
  corpus: z.string().trim().min(1, { error: 'expected a folder' }).optional(),
  mode: z.enum(['extractive', 'generative'], { error: 'expected extractive or generative' }).optional(),
  faults: z.string().optional(),
});

export type ServeOptions = z.input<typeof ServeOptionsSchema>;

const EXAMPLE_QUESTION = 'How do I stop Argo CD from fighting my HPA?';

export async function run(
  rawOptions: ServeOptions,
  env: NodeJS.ProcessEnv = process.env,
  streams: OutputStreams = defaultStreams,
): Promise<void> {
  const options = parseOptions(ServeOptionsSchema, rawOptions, 'serve');
  let config: ReturnType<typeof loadServiceConfig>;
  try {
    config = loadServiceConfig(env);
  } catch (error) {
    if (error instanceof ServiceConfigError) {
      throw new UsageError(`gitops-lab serve: environment variable ${error.message}`, {
        hint: `Fix or unset ${error.variable}, or use the matching flag (see gitops-lab serve --help).`,
      });
    }
    throw error;
  }
  const serviceOptions = { ...config.options };
  if (options.mode) serviceOptions.mode = options.mode;
  if (options.faults !== undefined) {
    try {
      serviceOptions.faults = parseFaults(options.faults);
    } catch (error) {
      if (error instanceof FaultSpecError) {
        throw new UsageError(`gitops-lab serve --faults: ${error.message.replace(/^DOCQA_FAULTS: /, '')}`, {
          hint: 'Known faults: wrong-retrieval, latency=<ms>; separate several with commas.',
        });
      }
      throw error;
    }
  }
  const corpus = options.corpus ?? serviceOptions.corpusDir;
  if (corpus !== undefined) {
    const dir = resolve(corpus);
    const flag = options.corpus !== undefined ? '--corpus' : 'DOCQA_CORPUS';
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new UsageError(`gitops-lab serve ${flag}: ${dir} is not a folder.`, {
        hint: 'Pass a folder of Markdown (*.md) files, or leave it out to serve the bundled lab handbook.',
      });
    }
    serviceOptions.corpusDir = dir;
  }
  if (serviceOptions.mode === 'generative' && !serviceOptions.gemini?.apiKey) {
    throw new UsageError('gitops-lab serve --mode generative needs GEMINI_API_KEY, which is not set.', {
      hint: 'Export GEMINI_API_KEY with a Gemini API key, or run the deterministic default (--mode extractive).',
    });
  }

  const interactive = isInteractive(streams.stdout);
  const logger = interactive
    ? createTtyLogger(streams)
    : createJsonLogger({ stream: streams.stdout, batch: true });
  const port = options.port ?? config.port;
  // --host, else $DOCQA_HOST, else loopback: on a laptop the service is not exposed unless asked (the container
  // image sets DOCQA_HOST=0.0.0.0 through the service's own default instead).
  const host = options.host ?? (env.DOCQA_HOST?.trim() || '127.0.0.1');
  let server: Awaited<ReturnType<typeof startDocQaServer>>;
  try {
    server = await startDocQaServer({
      ...serviceOptions,
      port,
      host,
      logger,
      ...(config.probePort === undefined ? {} : { probePort: config.probePort }),
      ...(config.livenessStaleMs === undefined ? {} : { livenessStaleMs: config.livenessStaleMs }),
    });
  } catch (error) {
    if (error instanceof ServerStartError) {
      throw new LabError(`gitops-lab serve: ${error.message}`, 1, {
        hint:
          error.port === 'probe'
            ? 'Set DOCQA_PROBE_PORT to a free port (0 picks one), or unset it to serve without a probe port.'
            : error.code === 'EADDRINUSE'
              ? `Stop whatever listens on port ${port}, or pick another port: gitops-lab serve --port ${port + 1} (--port 0 picks a free one).`
              : 'Check --host and --port.',
      });
    }
    throw error;
  }
  try {
    await server.service.ready;
  } catch (error) {
    await server.close();
    throw new LabError(
      `gitops-lab serve: the corpus could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
      1,
      {
        hint: 'Check the --corpus folder (Markdown files with text), or leave it out for the bundled handbook.',
      },
    );
  }
  const { documents, passages } = await server.service.corpus();
  const faults = [
    ...(server.service.faults.wrongRetrieval ? ['wrong-retrieval'] : []),
    ...(server.service.faults.latencyMs > 0 ? [`latency=${server.service.faults.latencyMs}ms`] : []),
  ];
  const out = streams.stdout;
  writeLine(
    `doc-QA service listening on ${paint('bold', server.url, out)} (${server.service.mode} mode, ${documents.length} documents, ${passages} passages${faults.length ? `, faults: ${faults.join(',')}` : ''})${server.probeUrl ? `; probes on ${server.probeUrl}` : ''}`,
    out,
  );
  writeLine(
    `try: curl -s ${server.url}/v1/ask -H 'content-type: application/json' -d '${JSON.stringify({ question: EXAMPLE_QUESTION })}'`,
    out,
  );
  writeLine('stop with Ctrl-C', out);
  await server.closed;
  writeLine('doc-QA service stopped', out);
}

/** Short coloured lines for a person watching a terminal; the JSON logger is used otherwise. */
export function createTtyLogger(streams: OutputStreams): Logger {
  return {
    log(level, msg, fields = {}) {
      if (level === 'debug') return;
      const out = level === 'error' || level === 'warn' ? streams.stderr : streams.stdout;
      if (msg === 'request') {
        const status = Number(fields.status);
        const color = status >= 500 ? 'red' : status >= 400 ? 'yellow' : 'green';
        const extra = [
          fields.answer_status,
          fields.fallback_reason ? `fallback=${fields.fallback_reason}` : '',
        ]
          .filter(Boolean)
          .join(' ');
        writeLine(
          `${paint(color, String(status), out)} ${fields.method} ${fields.path} ${fields.latency_ms}ms ${extra}`.trimEnd(),
          out,
        );
        return;
      }
      if (msg === 'corpus indexed') return;
      const detail = Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      writeLine(`${paint(level === 'info' ? 'gray' : 'yellow', level, out)} ${msg} ${detail}`.trimEnd(), out);
    },
  };
}
