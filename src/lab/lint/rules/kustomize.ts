/**
 * Rule `kustomize-image`: every `images:` entry of a kustomization must match a container image of the
 * objects it builds. An entry that matches nothing is silently ignored by kustomize, so a pinned digest
 * (or the tag `up` sets) never reaches the cluster.
 */
import { asArray, asRecord, asString, type LintContext } from '../context.js';
import { parseImage } from '../images.js';
import { containersOf, podSpecsOf } from '../pod-specs.js';
import { isRemoteReference } from '../repository.js';
import { closest } from '../schemas.js';
import type { Finding } from '../types.js';
import { lineAt } from '../yaml-files.js';

export function kustomizeRule(ctx: LintContext): Finding[] {
  const findings: Finding[] = [];
  for (const k of ctx.repo.kustomizations) {
    const images = asArray(k.object.images);
    if (images.length === 0) continue;
    if (asArray(k.object.resources).some((e) => typeof e === 'string' && isRemoteReference(e))) continue;
    const set = ctx.repo.sourceSet(k.dir);
    const names = new Set<string>();
    for (const r of set.resources) {
      for (const pod of podSpecsOf(r)) {
        for (const c of containersOf(pod)) {
          const image = asString(c.container.image);
          if (image) names.add(parseImage(image).name);
        }
      }
    }
    images.forEach((entry, index) => {
      const name = asString(asRecord(entry)?.name);
      if (!name || names.has(name)) return;
      const suggestion = closest(name, [...names]);
      findings.push({
        rule: 'kustomize-image',
        severity: 'error',
        file: k.file,
        line: lineAt(k.parsed.documents[0]?.doc, k.parsed.lineCounter, ['images', index, 'name']),
        resource: 'Kustomization',
        message: `images: entry "${name}" matches no container image built by this kustomization (images: ${[...names].join(', ') || 'none'}): kustomize ignores it, so its tag or digest never reaches the cluster`,
        fix: suggestion
          ? `Set the entry's name to "${suggestion}".`
          : 'Use the image name exactly as the containers write it (without tag).',
      });
    });
  }
  return findings;
}
