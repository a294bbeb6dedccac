import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../support/cli.js';

const dockerfile = readFileSync(`${repoRoot}/Dockerfile`, 'utf8');
const dockerignore = readFileSync(`${repoRoot}/.dockerignore`, 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));

describe('the doc-QA image (Dockerfile)', () => {
  it('runs as a numeric non-root user with no HEALTHCHECK (Kubernetes probes do that)', () => {
    const user = runtime.match(/^USER\s+(\S+)/m)?.[1];
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(dockerfile).not.toMatch(/^HEALTHCHECK/m);
  });

  it("exposes every port of the shipped Rollout's container: the service and the probe port", () => {
    const rollout = parse(readFileSync(`${repoRoot}/manifests/workloads/docqa/rollout.yaml`, 'utf8')) as {
      spec: { template: { spec: { containers: Array<{ ports: Array<{ containerPort: number }> }> } } };
    };
    const ports = rollout.spec.template.spec.containers[0]?.ports.map((p) => p.containerPort) ?? [];
    expect(ports).toEqual([8080, 8081]);
    const exposed = [...runtime.matchAll(/^EXPOSE\s+(.+)$/gm)].flatMap((m) =>
      (m[1] as string).split(/\s+/).map((p) => Number(p.replace(/\/tcp$/, ''))),
    );
    expect(exposed.sort()).toEqual(ports);
  });

  it('installs production dependencies only in the runtime image', () => {
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/COPY --from=deps \/app\/node_modules/);
  });

  it('ships the service, the handbook, and the CLI with the eval suite for the eval-replay Job', () => {
    // manifests/workloads/docqa/analysis-template.yaml runs `node /app/bin/gitops-lab.js eval` in this image.
    expect(runtime).toMatch(/^COPY --from=build \/src\/dist \.\/dist$/m);
    for (const path of ['handbook', 'bin', 'evals']) {
      expect(runtime).toMatch(new RegExp(`^COPY ${path} \\./${path}$`, 'm'));
      expect(dockerignore).not.toContain(path);
    }
    expect(runtime).toMatch(/^CMD \["node", "dist\/service\/main\.js"\]$/m);
  });
});
