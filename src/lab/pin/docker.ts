/**
 * `--digest-from-docker IMAGE`: the registry digest of a local image, read from `docker image inspect`
 * (RepoDigests). Only images pushed to or pulled from a registry have one; an image built locally and loaded
 * into kind has none, which is why `gitops-lab up` pins the local lab by a content tag instead.
 */
import { execa } from 'execa';
import { PreconditionError, UsageError } from '../../errors.js';
import { parseImageReference } from './reference.js';

export interface RepoDigest {
  name: string;
  digest: string;
}

export interface DockerDigestOptions {
  /** Prefer the RepoDigest of this image name when the image has several. */
  imageName?: string;
  /** The docker executable (tests point this at a fake). */
  docker?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const noRegistryDigestHint =
  'Images built locally or loaded into kind (`kind load docker-image`) have no registry digest: push the image (or pull it from the registry) first, or pass --digest. The local lab does not need a digest: `gitops-lab up` pins the image by a content tag.';

export async function readRepoDigests(
  image: string,
  options: DockerDigestOptions = {},
): Promise<RepoDigest[]> {
  const docker = options.docker ?? 'docker';
  const result = await execa(docker, ['image', 'inspect', '--format', '{{json .RepoDigests}}', image], {
    reject: false,
    timeout: options.timeoutMs ?? 30_000,
    env: options.env,
  });
  const spawnFailed = (result as { code?: string }).code;
  if (spawnFailed === 'ENOENT' || (result.failed && result.exitCode === undefined && !result.timedOut)) {
    throw new PreconditionError(`--digest-from-docker: the docker command was not found on PATH.`, {
      hint: 'Install Docker (or pass the digest yourself with --digest sha256:…); `gitops-lab doctor` checks the tools.',
    });
  }
  if (result.timedOut) {
    throw new PreconditionError(
      `--digest-from-docker: docker image inspect ${image} did not answer in time.`,
      {
        hint: 'Check that the Docker daemon is running (`docker info`).',
      },
    );
  }
  if (result.exitCode !== 0) {
    const stderr = String(result.stderr).trim();
    if (/no such (image|object)/i.test(stderr)) {
      throw new UsageError(`--digest-from-docker: there is no local image ${image}.`, {
        hint: `Build or pull it first (\`docker pull ${image}\`), or pass the digest with --digest.`,
      });
    }
    throw new PreconditionError(
      `--digest-from-docker: docker image inspect ${image} failed: ${stderr.split('\n')[0] || `exit ${result.exitCode}`}.`,
      { hint: 'Check that the Docker daemon is running (`docker info`).' },
    );
  }
  let listed: unknown;
  try {
    listed = JSON.parse(String(result.stdout).trim() || 'null');
  } catch {
    throw new PreconditionError(
      `--digest-from-docker: docker printed something that is not a RepoDigests list.`,
      {
        hint: 'Run `docker image inspect --format "{{json .RepoDigests}}" IMAGE` yourself to see what it says.',
      },
    );
  }
  const digests: RepoDigest[] = [];
  for (const entry of Array.isArray(listed) ? listed : []) {
    if (typeof entry !== 'string') continue;
    const parsed = parseImageReference(entry);
    if (parsed.ok && parsed.value.digest)
      digests.push({ name: parsed.value.name, digest: parsed.value.digest });
  }
  return digests;
}

/** Picks the digest for `imageName` (or the only one there is) from the image's RepoDigests. */
export async function digestFromDocker(
  image: string,
  options: DockerDigestOptions = {},
): Promise<RepoDigest> {
  const digests = await readRepoDigests(image, options);
  if (digests.length === 0) {
    throw new UsageError(
      `--digest-from-docker: the local image ${image} has no RepoDigests (no registry digest).`,
      {
        hint: noRegistryDigestHint,
      },
    );
  }
  if (options.imageName) {
    const match = digests.find((entry) => entry.name === options.imageName);
    if (match) return match;
    throw new UsageError(
      `--digest-from-docker: the local image ${image} has no digest for ${options.imageName} (it has: ${digests
        .map((entry) => entry.name)
        .join(', ')}).`,
      { hint: 'Pass --image with one of those names, or the digest itself with --digest.' },
    );
  }
  const names = new Set(digests.map((entry) => entry.name));
  if (names.size > 1) {
    throw new UsageError(
      `--digest-from-docker: the local image ${image} has digests for several names (${[...names].join(', ')}).`,
      { hint: 'Pass --image NAME to say which one to pin.' },
    );
  }
  return digests[0] as RepoDigest;
}
