import type { Command } from 'commander';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('replay the eval cases against the doc-QA service, score them and apply the quality gates')
    .option('--target <url>', 'replay against a running service (base URL) instead of in-process')
    .option('--cases <path>', 'a case file or folder of YAML case files (default: the bundled evals/cases)')
    .option('--corpus <dir>', 'serve another corpus in-process (default: the bundled handbook)')
    .option(
      '--mode <mode>',
      'in-process answering mode: extractive or generative (needs GEMINI_API_KEY)',
      'extractive',
    )
    .option('--concurrency <n>', 'requests in flight at once (1-64)', '8')
    .option('--timeout <ms>', 'per-request timeout in milliseconds', '10000')
    .option('--gates <file>', 'quality gates YAML (default: the bundled evals/gates.yaml)')
    .option('--json <file>', 'write the full result as JSON ("-" prints it to stdout)')
    .option('--junit <file>', 'write JUnit XML, one testcase per case')
    .option('--markdown <file>', 'write a summary fit for a pull-request comment')
    .option('--baseline <file>', 'a previous --json result: list regressions, improvements and metric deltas')
    .option('--filter <text>', 'only cases whose id, question or tags contain this text')
    .option('--repeat <n>', 'run every case n times (1-100)', '1')
    .addHelpText(
      'after',
      `
Examples:
  $ gitops-lab eval
  $ gitops-lab eval --filter hpa
  $ gitops-lab eval --target http://127.0.0.1:8080 --junit eval.xml
  $ gitops-lab eval --json now.json --markdown summary.md --baseline before.json
  $ gitops-lab eval --corpus ./docs --cases ./my-cases --gates ./my-gates.yaml
  $ GEMINI_API_KEY=... gitops-lab eval --mode generative

Exit codes: 0 every gate holds, 1 a gate failed, 2 usage error (bad flags, missing or invalid files),
3 the --target cannot be reached or is not a doc-QA service.`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { run } = await import('../handlers/eval.js');
      await run(options);
    });
}
