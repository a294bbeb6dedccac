import type { Document, LineCounter } from 'yaml';

export type Severity = 'error' | 'warning' | 'info';

export const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** One thing lint found: which rule, how bad, where, what is wrong and the one-line fix. */
export interface Finding {
  rule: string;
  severity: Severity;
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  /** 1-based line in `file`, when known. */
  line?: number;
  /** `Kind/namespace/name` (namespace left out for cluster-scoped or unset). */
  resource?: string;
  message: string;
  fix: string;
}

export type KubeObject = Record<string, unknown> & {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; labels?: unknown; annotations?: unknown };
};

/** A Kubernetes object as found in the repository (one YAML document, or made by a kustomize generator). */
export interface Resource {
  /** Stable id within one lint run. */
  id: number;
  file: string;
  /** Index of the YAML document in its file. */
  docIndex: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** Namespace after kustomize's `namespace:` (the Application's destination fills it in later if unset). */
  namespace?: string;
  object: KubeObject;
  /** The YAML document, for line numbers (absent for generated objects). */
  doc?: Document.Parsed;
  lineCounter?: LineCounter;
  /** Image overrides (`images:` of the kustomizations that include this object), by image name. */
  imageOverrides: ImageOverride[];
  /** The kustomization.yaml that generated this object, for generated ConfigMaps and Secrets. */
  generatedBy?: string;
}

export interface ImageOverride {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** What `gitops-lab lint` returns: the files and resources it read and what it found. */
export interface LintReport {
  root: string;
  /** What rendered the kustomizations. */
  renderedWith: 'kubectl kustomize' | 'built-in reader';
  files: string[];
  resources: Array<{ file: string; line?: number; resource: string }>;
  findings: Finding[];
  counts: Record<Severity, number>;
}
