/**
 * What the simulated repo-server renders for a kustomization directory, for the fields the lab's kustomizations use.
 * A real repo-server runs `kustomize build` (argo-cd v3.1.12 util/kustomize/kustomize.go); the simulation has no
 * kustomize binary, so it applies kustomize's (api/krusty, v5) transformers that those fields configure:
 * - `resources`: files of the directory, every YAML document of each, in order (directories and remote bases are
 *   not read);
 * - `namespace`: set on every object (the lab's apps hold namespaced objects only);
 * - `labels`: each entry's `pairs` added to metadata.labels; with `includeTemplates` also to a pod template's labels;
 *   with `includeSelectors` also to selectors and templates (api/types/labels.go, the label transformer's field specs);
 * - `images`: a container or init container whose image name matches gets `newName`, `newTag` or `digest`
 *   (api/filters/imagetag; the transformer lint already models, lint/images.ts).
 * Other fields are ignored (lint checks them with the real kustomize).
 */
import { applyOverrides, formatImage } from '../lint/images.js';
import type { ImageOverride } from '../lint/types.js';
import type { GitSource } from './repo.js';
import type { KubeObject } from './store.js';

interface LabelsEntry {
  pairs?: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
}

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: LabelsEntry[];
  images?: ImageOverride[];
}

type PodTemplateHolder = {
  selector?: { matchLabels?: Record<string, string> } | Record<string, string>;
  template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec };
};
type PodSpec = { containers?: Array<{ image?: string }>; initContainers?: Array<{ image?: string }> };

function addLabels(obj: KubeObject, entry: LabelsEntry): void {
  const pairs = entry.pairs ?? {};
  obj.metadata = { ...obj.metadata, labels: { ...obj.metadata?.labels, ...pairs } };
  const spec = obj.spec as PodTemplateHolder | undefined;
  if (!spec) return;
  if ((entry.includeTemplates || entry.includeSelectors) && spec.template) {
    spec.template.metadata = {
      ...spec.template.metadata,
      labels: { ...spec.template.metadata?.labels, ...pairs },
    };
  }
  if (entry.includeSelectors && spec.selector) {
    const selector = spec.selector as { matchLabels?: Record<string, string> };
    // A Service's selector is a plain map; a workload's has matchLabels.
    if (obj.kind === 'Service') spec.selector = { ...(spec.selector as Record<string, string>), ...pairs };
    else selector.matchLabels = { ...selector.matchLabels, ...pairs };
  }
}

/** The objects `kustomize build <dir>` gives for the kustomization in `dir` at `sha`. */
export function kustomizeBuild(repo: GitSource, dir: string, sha: string): KubeObject[] {
  const k = repo.yaml(`${dir}/kustomization.yaml`, sha) as Kustomization;
  const objects = (k.resources ?? []).flatMap(
    (file) => repo.documents(`${dir}/${file}`, sha) as KubeObject[],
  );
  for (const obj of objects) {
    if (!obj.kind) continue;
    if (k.namespace) obj.metadata = { ...obj.metadata, namespace: k.namespace };
    for (const entry of k.labels ?? []) addLabels(obj, entry);
    const pod = (obj.spec as PodTemplateHolder | undefined)?.template?.spec;
    for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])])
      if (c.image) c.image = formatImage(applyOverrides(c.image, k.images ?? []).ref);
  }
  return objects.filter((o) => o.kind);
}
