"""Content owned by the program's staff: every citizen-facing text and program fact,
edited in the console, checked, approved by a second person, published live to every
process, versioned and rolled back. The files in bot/content/ are the seed and the export
format.

- catalogue: what can be edited (item keys such as "faq.contact_channels" or
  "program.contact.unified_number"), where each lives in the seed files, seed values;
- checks: what refuses a change (empty, placeholders, a number typed where its fact
  placeholder exists, channel limits) and what only flags it (one language changed);
- workflow: propose, approve (never one's own), reject, publish, roll back, history;
- live: the published release applied in this process, refreshed within a second;
- export: a release written back as the seed files.

New FAQ keys (new questions) need training data and a new model: bot/services/training
(their texts join the live content with the model release that knows them: live).
"""
