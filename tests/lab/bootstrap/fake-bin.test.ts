import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { installFakeBin } from '../../support/fake-bin/index.js';

const run = promisify(execFile);

describe('fake kind/docker/kubectl executables', () => {
  it('record their arguments and remember what they created', async () => {
    const bin = await installFakeBin();
    const env = { ...bin.env };
    await run('kind', ['create', 'cluster', '--name', 'gitops-lab'], { env });
    const { stdout } = await run('kind', ['get', 'clusters'], { env });
    expect(stdout.trim()).toBe('gitops-lab');
    await run('docker', ['build', '-t', 'img:1', '.'], { env });
    await run('kind', ['load', 'docker-image', 'img:1', '--name', 'gitops-lab'], { env });
    expect(bin.state().loaded).toEqual({ 'gitops-lab': ['img:1'] });
    expect(bin.calls().map((c) => c.program)).toEqual(['kind', 'kind', 'docker', 'kind']);
  });

  it('emulate a stopped Docker daemon and injected failures', async () => {
    const bin = await installFakeBin({
      config: { dockerDown: true, failures: [{ program: 'kind', match: 'create', times: 1 }] },
    });
    const env = { ...bin.env };
    await expect(run('docker', ['info', '--format', '{{json .}}'], { env })).rejects.toMatchObject({
      code: 1,
    });
    await expect(run('kind', ['create', 'cluster'], { env })).rejects.toMatchObject({ code: 1 });
    await expect(run('kind', ['create', 'cluster'], { env })).resolves.toBeDefined();
  });
});
