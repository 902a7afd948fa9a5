"""New questions without a developer: what an editor adds to the training data in the
console, the retrain that tests it, and the rolling model update that serves it.

- changes: a new FAQ (key, titles, answers in both languages, at least ten phrasings) or
  reviewed examples from the review queue, checked, then approved by a second person;
- dataset: the candidate training data (the seed project plus every approved change);
- scoring: how a model's parse is scored against the held-out and fresh sets (bench/ uses
  it too), run in a child process so the console never loads a second model;
- jobs: the one background retrain at a time (train, score, refuse or keep), its progress
  and log in the database; a job cut short by a restart reads "interrupted";
- rollout: approve (four eyes) → a model release every Rasa worker loads beside the one it
  serves and swaps in (channels/model_watch.py); rollback the same way;
- faqs: the new questions the released model knows, for their live texts and titles.
"""
