import type { Command } from 'commander';

export function registerPin(program: Command): void {
  program
    .command('pin')
    .description('pin the doc-QA image to a digest in manifests/, optionally committing the change')
    .option('--image <name>', 'image name without tag or digest, e.g. ghcr.io/gitops-lab/docqa')
    .option('--digest <sha256>', 'the digest to pin: sha256:<64 hex>')
    .option(
      '--digest-from-docker <image>',
      'read the digest from a local image (docker image inspect, RepoDigests) instead of --digest',
    )
    .option('--file <path>', 'the manifest or folder that names the image (default: manifests/)')
    .option('--commit', 'commit only this file, with a message naming the digest and the source commit')
    .option('--message <text>', 'commit message subject and body (with --commit; trailers are added)')
    .option('--dry-run', 'show the change as a diff without writing or committing it')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Where the image is set: a kustomization's images: entry that names it (pin sets digest: and drops newTag:,
keeping newName:), otherwise the image: field of a workload's container (rewritten to NAME@sha256:...).
Comments, quoting and key order are kept; the same digest again changes nothing (exit 0).

--commit refuses a working tree with uncommitted changes and names the source commit ($GITHUB_SHA in
GitHub Actions, otherwise HEAD). Commits carry a "Gitops-Lab-Pin:" trailer; the image workflow skips them.

The local lab has no registry: images loaded into kind have no registry digest, so \`gitops-lab up\` pins
them by a content tag instead, and --digest-from-docker only works for pushed or pulled images.

Examples:
  $ gitops-lab pin --image ghcr.io/gitops-lab/docqa --digest sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945 --dry-run
  $ gitops-lab pin --image ghcr.io/gitops-lab/docqa --digest sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945 --commit
  $ gitops-lab pin --digest-from-docker ghcr.io/gitops-lab/docqa:0.2.0 --file manifests/workloads/docqa/kustomization.yaml

ghcr.io/gitops-lab/docqa is the image the shipped manifests name; a fork pins the image its manifests name.

Exit codes: 0 pinned or already pinned, 2 bad input (nothing changed), 3 docker missing.`,
    )
    .action(async (opts) => {
      const { run } = await import('../handlers/pin.js');
      await run(opts);
    });
}
