/**
 * Rule family `policy-*`, in the spirit of Trivy's Kubernetes misconfiguration checks: pinned images, no
 * privileged or root containers, no privilege escalation, resources and probes declared, and no secret
 * material committed to Git.
 */
import { asArray, asRecord, findingAt, type LintContext } from '../context.js';
import { applyOverrides, formatImage } from '../images.js';
import { containersOf, podSpecsOf } from '../pod-specs.js';
import type { Finding } from '../types.js';
import { lineAt } from '../yaml-files.js';

const dangerousCapabilities = new Set([
  'ALL',
  'SYS_ADMIN',
  'NET_ADMIN',
  'SYS_PTRACE',
  'SYS_MODULE',
  'NET_RAW',
  'BPF',
]);

export function policyRule(ctx: LintContext): Finding[] {
  const findings: Finding[] = [];
  for (const r of ctx.repo.resources) {
    if (r.kind === 'Secret' && r.apiVersion === 'v1') {
      const data = { ...(asRecord(r.object.data) ?? {}), ...(asRecord(r.object.stringData) ?? {}) };
      if (Object.keys(data).length > 0) {
        const generated = r.generatedBy !== undefined;
        findings.push({
          rule: 'policy-plaintext-secret',
          severity: 'error',
          file: r.file,
          line: generated ? undefined : lineAt(r.doc, r.lineCounter, [r.object.data ? 'data' : 'stringData']),
          resource: ctx.describe(r),
          message: generated
            ? `secretGenerator "${r.name}" puts secret values (${Object.keys(data).join(', ')}) in Git in plain text`
            : `Secret ${r.name} is committed with its values (${Object.keys(data).join(', ')}): base64 is an encoding, not encryption`,
          fix: 'Remove it from Git (and rotate the values); create it at deploy time (as `gitops-lab up` does for the Gemini key) or use SealedSecrets/External Secrets.',
        });
      }
      continue;
    }
    for (const pod of podSpecsOf(r)) {
      // An AnalysisTemplate's Job runs for minutes during a rollout: its hardening gaps are warnings.
      const analysisJob = r.kind === 'AnalysisTemplate' || r.kind === 'ClusterAnalysisTemplate';
      const hardening = (severity: 'error' | 'warning'): 'error' | 'warning' =>
        analysisJob ? 'warning' : severity;
      const podSecurity = asRecord(pod.spec.securityContext) ?? {};
      for (const flag of ['hostNetwork', 'hostPID', 'hostIPC']) {
        if (pod.spec[flag] === true) {
          findings.push(
            findingAt(ctx, r, [...pod.path, flag], {
              rule: 'policy-host-namespace',
              severity: hardening('error'),
              message: `${flag}: true shares the node's namespace with the pod`,
              fix: `Remove ${flag}.`,
            }),
          );
        }
      }
      for (const c of containersOf(pod)) {
        const container = c.container;
        const name = String(container.name ?? '?');
        const where = `container ${name}`;
        const sc = asRecord(container.securityContext) ?? {};

        // Image.
        if (typeof container.image === 'string') {
          const { ref, override } = applyOverrides(container.image, r.imageOverrides);
          const shown = formatImage(ref);
          const via = override ? ` (after the kustomize images: override for ${override.name})` : '';
          if (!ref.digest && (!ref.tag || ref.tag === 'latest')) {
            findings.push(
              findingAt(ctx, r, [...c.path, 'image'], {
                rule: 'policy-image-tag',
                severity: 'error',
                message: `${where} uses image ${shown}${via}, ${ref.tag ? 'the mutable tag :latest' : 'with no tag (that is :latest)'}: what runs can change without a commit and rollbacks are impossible`,
                fix: 'Pin an explicit version tag or, better, a digest (gitops-lab pin --image NAME --digest sha256:…).',
              }),
            );
          }
        } else {
          findings.push(
            findingAt(ctx, r, c.path, {
              rule: 'policy-image-tag',
              severity: 'error',
              message: `${where} has no image`,
              fix: 'Set the container image (name:tag or name@sha256:…).',
            }),
          );
        }

        // Privileges.
        if (sc.privileged === true) {
          findings.push(
            findingAt(ctx, r, [...c.path, 'securityContext', 'privileged'], {
              rule: 'policy-privileged',
              severity: 'error',
              message: `${where} runs privileged: it has full access to the node`,
              fix: 'Remove privileged: true (set it to false).',
            }),
          );
        }
        const runAsUser = sc.runAsUser ?? podSecurity.runAsUser;
        const runAsNonRoot = sc.runAsNonRoot ?? podSecurity.runAsNonRoot;
        if (runAsUser === 0) {
          const path =
            sc.runAsUser !== undefined
              ? [...c.path, 'securityContext', 'runAsUser']
              : [...pod.path, 'securityContext', 'runAsUser'];
          findings.push(
            findingAt(ctx, r, path, {
              rule: 'policy-run-as-root',
              severity: hardening('error'),
              message: `${where} runs as root (runAsUser: 0)`,
              fix: 'Run as a non-root numeric user (runAsUser: 10001, runAsNonRoot: true).',
            }),
          );
        } else if (runAsNonRoot === false) {
          const path =
            sc.runAsNonRoot !== undefined
              ? [...c.path, 'securityContext', 'runAsNonRoot']
              : [...pod.path, 'securityContext', 'runAsNonRoot'];
          findings.push(
            findingAt(ctx, r, path, {
              rule: 'policy-run-as-root',
              severity: hardening('error'),
              message: `${where} sets runAsNonRoot: false, so it may run as root`,
              fix: 'Set runAsNonRoot: true and a non-root runAsUser.',
            }),
          );
        } else if (runAsNonRoot !== true && !(typeof runAsUser === 'number' && runAsUser > 0)) {
          findings.push(
            findingAt(ctx, r, [...c.path, 'securityContext'], {
              rule: 'policy-run-as-root',
              severity: hardening('error'),
              message: `${where} may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set (pod or container), so the image decides`,
              fix: 'Set securityContext.runAsNonRoot: true (pod level) and a numeric runAsUser.',
            }),
          );
        }
        // Group 0 is root's group: files the image leaves group-root-writable (a common convention) are the
        // container's to change. Kubescape's non-root control (C-0013) fails runAsGroup: 0 as well.
        const runAsGroup = sc.runAsGroup ?? podSecurity.runAsGroup;
        if (runAsGroup === 0) {
          findings.push(
            findingAt(
              ctx,
              r,
              sc.runAsGroup !== undefined
                ? [...c.path, 'securityContext', 'runAsGroup']
                : [...pod.path, 'securityContext', 'runAsGroup'],
              {
                rule: 'policy-run-as-root',
                severity: 'warning',
                message: `${where} runs with root's group (runAsGroup: 0): it can change every file the image leaves writable to group root`,
                fix: 'Set runAsGroup to a non-zero group (e.g. 10001), or leave it out.',
              },
            ),
          );
        }
        if (sc.allowPrivilegeEscalation !== false) {
          findings.push(
            findingAt(
              ctx,
              r,
              sc.allowPrivilegeEscalation === undefined
                ? [...c.path, 'securityContext']
                : [...c.path, 'securityContext', 'allowPrivilegeEscalation'],
              {
                rule: 'policy-privilege-escalation',
                severity: hardening('error'),
                message:
                  sc.allowPrivilegeEscalation === true
                    ? `${where} sets allowPrivilegeEscalation: true`
                    : `${where} does not set allowPrivilegeEscalation: false (Kubernetes defaults to allowing it)`,
                fix: 'Set securityContext.allowPrivilegeEscalation: false on the container.',
              },
            ),
          );
        }
        const caps = asRecord(sc.capabilities) ?? {};
        const added = asArray(caps.add)
          .map(String)
          .filter((x) => dangerousCapabilities.has(x.toUpperCase()));
        if (added.length > 0) {
          findings.push(
            findingAt(ctx, r, [...c.path, 'securityContext', 'capabilities', 'add'], {
              rule: 'policy-capabilities',
              severity: 'error',
              message: `${where} adds the capabilities ${added.join(', ')}`,
              fix: 'Remove them from capabilities.add; drop ALL and add back only what is needed (e.g. NET_BIND_SERVICE).',
            }),
          );
        }
        if (
          !asArray(caps.drop)
            .map((x) => String(x).toUpperCase())
            .includes('ALL')
        ) {
          findings.push(
            findingAt(ctx, r, [...c.path, 'securityContext'], {
              rule: 'policy-capabilities',
              severity: 'warning',
              message: `${where} keeps the default Linux capabilities (capabilities.drop does not include ALL)`,
              fix: 'Set securityContext.capabilities.drop: [ALL].',
            }),
          );
        }
        if (sc.readOnlyRootFilesystem !== true) {
          findings.push(
            findingAt(ctx, r, [...c.path, 'securityContext'], {
              rule: 'policy-readonly-root-fs',
              severity: 'warning',
              message: `${where} has a writable root filesystem`,
              fix: 'Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where it must write (e.g. /tmp).',
            }),
          );
        }

        // Resources.
        const resources = asRecord(container.resources) ?? {};
        const requests = asRecord(resources.requests) ?? {};
        const limits = asRecord(resources.limits) ?? {};
        const missing = [
          requests.cpu === undefined ? 'requests.cpu' : '',
          requests.memory === undefined ? 'requests.memory' : '',
          limits.memory === undefined ? 'limits.memory' : '',
        ].filter(Boolean);
        if (missing.length > 0) {
          findings.push(
            findingAt(ctx, r, container.resources === undefined ? c.path : [...c.path, 'resources'], {
              rule: 'policy-resources',
              severity: hardening('error'),
              message: `${where} has no ${missing.join(', ')}${missing.includes('requests.cpu') && r.kind !== 'Job' ? ' (an HPA on CPU utilisation cannot work without a CPU request)' : ''}`,
              fix: 'Set resources.requests (cpu, memory) and resources.limits.memory.',
            }),
          );
        }

        // Probes.
        if (pod.longRunning && !c.init) {
          const absent = ['readinessProbe', 'livenessProbe'].filter((p) => container[p] === undefined);
          if (absent.length > 0) {
            findings.push(
              findingAt(ctx, r, c.path, {
                rule: 'policy-probes',
                severity: 'error',
                message: `${where} has no ${absent.join(' and ')}${absent.includes('readinessProbe') ? ': traffic reaches it before it is ready, and a canary is judged on pods that never became ready' : ': a hung process is never restarted'}`,
                fix: `Add ${absent.join(' and ')} (httpGet on /readyz and /healthz for the doc-QA service).`,
              }),
            );
          }
        }
      }
    }
  }
  return findings;
}
