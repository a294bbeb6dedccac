// Shared implementation of the fake `kind`, `kubectl` and `docker` executables used in tests (see index.ts).
// Each call appends {program, args, cwd, stdin?} as a JSON line to $FAKE_BIN_DIR/calls.log, reads the scenario from
// $FAKE_BIN_DIR/config.json and keeps what it "created" (clusters, images) in $FAKE_BIN_DIR/state.json.
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const dir = process.env.FAKE_BIN_DIR;

function load(file, fallback) {
  try {
    return JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch {
    return fallback;
  }
}

function readStdin() {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

function out(text) {
  process.stdout.write(text);
}

function fail(code, message) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

// Minimal YAML reading for kustomization files: `namespace:` and the `resources:` list.
function readKustomization(folder) {
  const text = readFileSync(join(folder, 'kustomization.yaml'), 'utf8');
  const namespace = /^namespace:\s*(\S+)/m.exec(text)?.[1];
  const resources = [];
  const block = /^resources:\s*\n((?:\s+-.*\n?)+)/m.exec(text);
  if (block)
    for (const line of block[1].split('\n')) {
      const m = /^\s+-\s*(\S+)/.exec(line);
      if (m) resources.push(m[1]);
    }
  return { namespace, resources };
}

const remote = {
  'argo-cd': (ns) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: applications.argoproj.io
spec:
  group: argoproj.io
  names: {kind: Application, plural: applications}
  scope: Namespaced
  versions: [{name: v1alpha1, served: true, storage: true}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-cm, namespace: ${ns}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: argocd-server, namespace: ${ns}}
spec: {replicas: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: argocd-repo-server, namespace: ${ns}}
spec: {replicas: 1}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: argocd-application-controller, namespace: ${ns}}
spec: {replicas: 1}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: argocd-server}
rules: []
`,
  'argo-rollouts': (ns) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: rollouts.argoproj.io
spec:
  group: argoproj.io
  names: {kind: Rollout, plural: rollouts}
  scope: Namespaced
  versions: [{name: v1alpha1, served: true, storage: true}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: argo-rollouts, namespace: ${ns}}
spec: {replicas: 1}
`,
};

function kustomize(folder) {
  const { namespace = 'default', resources } = readKustomization(folder);
  const docs = [];
  for (const r of resources) {
    if (/^https?:/.test(r)) {
      const key = Object.keys(remote).find((k) => r.includes(k));
      if (key) docs.push(remote[key](namespace));
      continue;
    }
    const path = resolve(folder, r);
    if (existsSync(path) && statSync(path).isDirectory()) {
      docs.push(kustomize(path));
      continue;
    }
    const text = readFileSync(path, 'utf8');
    // A vendored upstream install (scripts/vendor-argo.sh) renders as the small stand-in above, with the same
    // workload names, so the fake API server is not fed 1.5 MB of CRDs on every `up`.
    const stub =
      text.startsWith('# Vendored by ') && Object.keys(remote).find((k) => path.includes(`/${k}/`));
    docs.push(stub ? remote[stub](namespace) : text);
  }
  return docs.join('\n---\n');
}

function kind(args, state, config) {
  const name = args.includes('--name') ? args[args.indexOf('--name') + 1] : 'kind';
  const cmd = args.slice(0, 2).join(' ');
  if (args[0] === 'version') return out(`kind v${config.kindVersion ?? '0.29.0'} go1.24.2 linux/amd64\n`);
  if (cmd === 'get clusters') {
    if (!state.clusters.length) return process.stderr.write('No kind clusters found.\n');
    return out(`${state.clusters.join('\n')}\n`);
  }
  if (cmd === 'create cluster') {
    if (state.clusters.includes(name))
      fail(1, `ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"`);
    state.clusters.push(name);
    return process.stderr.write(`Creating cluster "${name}" ...\n`);
  }
  if (cmd === 'delete cluster') {
    state.clusters = state.clusters.filter((c) => c !== name);
    return process.stderr.write(`Deleting cluster "${name}" ...\n`);
  }
  if (cmd === 'load docker-image') {
    if (!state.clusters.includes(name)) fail(1, `ERROR: no nodes found for cluster "${name}"`);
    for (const image of args.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--name')) {
      if (!state.images.includes(image)) fail(1, `ERROR: image: "${image}" not present locally`);
      state.loaded[name] = [...new Set([...(state.loaded[name] ?? []), image])];
    }
    return;
  }
  if (cmd === 'load image-archive') {
    if (!state.clusters.includes(name)) fail(1, `ERROR: no nodes found for cluster "${name}"`);
    const archive = args[2];
    if (!archive || !existsSync(archive)) fail(1, `ERROR: failed to open archive: ${archive}`);
    const images = JSON.parse(readFileSync(archive, 'utf8')).images;
    state.loaded[name] = [...new Set([...(state.loaded[name] ?? []), ...images])];
    return;
  }
  if (cmd === 'get kubeconfig') return out(config.kubeconfig ?? '');
}

function docker(args, state, config) {
  if (args[0] === '--version')
    return out(`Docker version ${config.dockerVersion ?? '27.3.1'}, build 0000000\n`);
  if (args[0] === 'version' && args.includes('--format')) {
    if (args.join(' ').includes('Server')) {
      if (config.dockerDown)
        fail(
          1,
          'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
        );
      return out(`${config.dockerVersion ?? '27.3.1'}\n`);
    }
    return out(`${config.dockerVersion ?? '27.3.1'}\n`);
  }
  if (args[0] === 'info') {
    if (config.dockerDown)
      fail(
        1,
        'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      );
    const store = config.containerdImageStore
      ? { Driver: 'overlayfs', DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] }
      : { Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']] };
    return out(
      `${JSON.stringify({ ServerVersion: config.dockerVersion ?? '27.3.1', MemTotal: config.memTotal ?? 8 * 1024 ** 3, NCPU: 4, Architecture: 'x86_64', ...store })}\n`,
    );
  }
  if (args[0] === 'image' && args[1] === 'inspect') {
    const image = args[args.length - 1];
    if (!state.images.includes(image)) fail(1, `Error response from daemon: No such image: ${image}`);
    return out(`[{"Id":"sha256:${'0'.repeat(64)}","RepoTags":["${image}"]}]\n`);
  }
  if (args[0] === 'build') {
    const tags = args.flatMap((a, i) => (args[i - 1] === '-t' || args[i - 1] === '--tag' ? [a] : []));
    state.images.push(...tags);
    return process.stderr.write('#1 DONE\n');
  }
  if (args[0] === 'save') {
    // The archive records which images it holds (a stand-in for the tar `docker save` writes).
    const output = args[args.indexOf('--output') + 1];
    const images = args
      .slice(1)
      .filter((a, i, all) => !a.startsWith('--') && !['--output', '--platform'].includes(all[i - 1] ?? ''));
    for (const image of images)
      if (!state.images.includes(image)) fail(1, `Error response from daemon: No such image: ${image}`);
    writeFileSync(output, JSON.stringify({ images }));
    return;
  }
  if (args[0] === 'pull') {
    state.images.push(args[args.length - 1]);
  }
}

function kubectl(args, _state, config) {
  if (args[0] === 'version')
    return out(
      `${JSON.stringify({ clientVersion: { gitVersion: `v${config.kubectlVersion ?? '1.33.1'}` } })}\n`,
    );
  if (args[0] === 'kustomize') return out(kustomize(resolve(args[1] ?? '.')));
  if (args[0] === 'config' && args[1] === 'current-context') return out('kind-gitops-lab\n');
}

const program = process.argv[2];
const args = process.argv.slice(3);
const config = load('config.json', {});
const stdin = config.readStdin?.includes(program) ? readStdin() : undefined;
appendFileSync(
  join(dir, 'calls.log'),
  `${JSON.stringify({ program, args, cwd: process.cwd(), ...(stdin ? { stdin } : {}) })}\n`,
);
// Concurrent calls (e.g. two `docker build`s at once) update state.json under a lock, so none is lost.
const lock = join(dir, 'state.lock');
for (let i = 0; ; i++) {
  try {
    mkdirSync(lock);
    break;
  } catch {
    if (i > 500) break;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}
process.on('exit', () => {
  try {
    rmdirSync(lock);
  } catch {}
});
const state = { clusters: [], images: [], loaded: {}, ...load('state.json', {}) };
const line = [program, ...args].join(' ');
const failures = config.failures ?? [];
const failure = failures.find(
  (f) => f.program === program && line.includes(f.match ?? '') && (f.times ?? 1) > 0,
);
if (failure) {
  failure.times = (failure.times ?? 1) - 1;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  fail(failure.exitCode ?? 1, failure.stderr ?? `${program}: injected failure`);
}
({ kind, docker, kubectl })[program]?.(args, state, config);
writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
void dirname;
