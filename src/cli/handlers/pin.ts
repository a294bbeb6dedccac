/**
 * `gitops-lab pin`: validates the flags, pins the image through src/lab/pin and reports what changed:
 * JSON with --json, otherwise a few plain lines (coloured on a terminal) and, for --dry-run, the diff.
 */
import { z } from 'zod';
import { type PinResult, pinImage } from '../../lab/pin/pin.js';
import { shortDigest } from '../../lab/pin/reference.js';
import { defaultStreams, type OutputStreams, paint, writeJson, writeLine } from '../output.js';
import { parseOptions } from '../validate.js';

const text = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .trim()
    .min(1, { error: `expected ${what}` });

export const PinOptionsSchema = z.object({
  image: text('an image name such as ghcr.io/acme/docqa').optional(),
  digest: text('a digest such as sha256:<64 hex>').optional(),
  digestFromDocker: text('a local image such as ghcr.io/acme/docqa:0.2.0').optional(),
  file: text('a manifest file or folder').optional(),
  commit: z.boolean().optional(),
  message: text('a commit message').optional(),
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
});

export type PinCliOptions = z.input<typeof PinOptionsSchema>;

export async function run(
  rawOptions: PinCliOptions,
  env: NodeJS.ProcessEnv = process.env,
  streams: OutputStreams = defaultStreams,
): Promise<void> {
  const options = parseOptions(PinOptionsSchema, rawOptions, 'pin');
  const result = await pinImage({
    image: options.image,
    digest: options.digest,
    digestFromDocker: options.digestFromDocker,
    file: options.file,
    commit: options.commit,
    message: options.message,
    dryRun: options.dryRun,
    env,
  });
  if (options.json) {
    writeJson(result, streams.stdout);
    return;
  }
  render(result, streams);
}

function render(result: PinResult, streams: OutputStreams): void {
  const out = streams.stdout;
  for (const warning of result.warnings)
    writeLine(`${paint('yellow', 'warning:', streams.stderr)} ${warning}`, streams.stderr);
  const reference = paint('bold', result.reference, out);
  if (result.status === 'already-pinned') {
    writeLine(`already pinned: ${result.file} already names ${reference}; nothing changed.`, out);
    return;
  }
  const verb = result.status === 'would-pin' ? 'would pin' : 'pinned';
  writeLine(`${verb} ${reference} in ${result.file}`, out);
  for (const change of result.changes.filter((entry) => entry.changed)) {
    writeLine(`  ${change.owner} (line ${change.line}): ${change.before} -> ${change.after}`, out);
  }
  if (result.status === 'would-pin') {
    writeLine('', out);
    writeLine(`--- ${result.file}`, out);
    writeLine(`+++ ${result.file} (pinned)`, out);
    for (const line of result.diff) {
      const color = line.startsWith('+')
        ? 'green'
        : line.startsWith('-')
          ? 'red'
          : line.startsWith('@@')
            ? 'cyan'
            : undefined;
      writeLine(color ? paint(color, line, out) : line, out);
    }
    writeLine('', out);
    const commitNote = result.sourceCommit
      ? `; --commit would name source commit ${result.sourceCommit}`
      : '';
    writeLine(`dry run: nothing written${commitNote}.`, out);
    return;
  }
  if (result.commit) {
    writeLine(
      `committed ${paint('bold', result.commit.sha.slice(0, 12), out)}: ${result.file} only, sha256:${shortDigest(
        result.digest,
      )} built from ${result.commit.sourceCommit.slice(0, 12)}`,
      out,
    );
  }
}
