import type { Command } from 'commander';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the doc-QA service (no cluster needed)')
    .option('--port <port>', 'port to listen on, 0 for any free port (default: $PORT or 8080)')
    .option('--host <host>', 'address to bind (default: $DOCQA_HOST or 127.0.0.1)')
    .option(
      '--corpus <dir>',
      'folder of Markdown documents (default: $DOCQA_CORPUS or the bundled lab handbook)',
    )
    .option('--mode <mode>', 'extractive or generative (default: $DOCQA_MODE or extractive)')
    .option(
      '--faults <list>',
      'inject faults for drills, e.g. wrong-retrieval,latency=800ms (default: $DOCQA_FAULTS)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ gitops-lab serve
  $ gitops-lab serve --port 9000 --corpus ./docs
  $ GEMINI_API_KEY=... gitops-lab serve --mode generative
  $ curl -s localhost:8080/v1/ask -H 'content-type: application/json' \\
      -d '{"question":"How do I stop Argo CD from fighting my HPA?"}'

Environment: PORT, DOCQA_HOST, DOCQA_CORPUS, DOCQA_MODE, DOCQA_FAULTS, GEMINI_API_KEY, DOCQA_GEMINI_BASE_URL,
DOCQA_GEMINI_MODEL, DOCQA_GEMINI_TIMEOUT_MS, OTEL_EXPORTER_OTLP_ENDPOINT, LANGSMITH_TRACING.
Stop with Ctrl-C (SIGINT) or SIGTERM; requests in flight finish first.`,
    )
    .action(async (opts) => {
      const { run } = await import('../handlers/serve.js');
      await run(opts);
    });
}
