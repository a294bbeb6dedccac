/**
 * Session 27's circumstance study (docs/retrieval.md §6, "The asker's circumstance"), on the DEV sets only
 * (bench/dev-sets.ts; never evals/corpora/test/*). Run: `node --import tsx bench/circumstance-leave-one-out.ts`.
 *
 * A question of several sentences states the asker's situation first and asks in its last sentence ("The ferry
 * got in an hour late because of an engine problem. How much do I get back?"). METHOD.circumstanceNotSalient:
 * 0 off, 1 a term only the earlier sentences use is never salient, 2 a leading "if" clause counts as
 * circumstance too. Judged leave one set out, as the studies before it, with the utility on all dev sets first.
 */
import { judgeSetting } from './held-out.js';

await judgeSetting(
  'circumstanceNotSalient',
  [
    [0, 'off'],
    [1, 'earlier sentences'],
    [2, 'earlier sentences and a leading if clause'],
  ],
  'circumstance not salient',
);
