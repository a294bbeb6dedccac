#!/usr/bin/env node
import('../dist/cli/main.js').then(
  (cli) => cli.main(process.argv),
  (error) => {
    console.error(
      `gitops-lab: the CLI is not built (${error.code ?? error.message}). Run \`npm run build\` first.`,
    );
    process.exitCode = 1;
  },
);
