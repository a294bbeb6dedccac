/**
 * Session 25's names-only study (docs/retrieval.md §6, "Names only"), on the DEV sets only (bench/dev-sets.ts;
 * never evals/corpora/test/*). Run: `node --import tsx bench/names-only-leave-one-out.ts`.
 *
 * A question whose known words are all names, with a content word the corpus never uses ("How do I log in to
 * Argo CD?" on a handbook that never says "log"), asks about its subject something the corpus does not write.
 * METHOD.namesOnly: 0 off, 0.5 halves the raw confidence, 1 abstains (reason `topic`). Judged leave one set out,
 * as the studies before it, with the settings' utility on all dev sets printed first.
 */
import { judgeSetting } from './held-out.js';

await judgeSetting(
  'namesOnly',
  [
    [0, 'off'],
    [0.5, 'halve the raw confidence'],
    [1, 'abstain'],
  ],
  'names only',
);
