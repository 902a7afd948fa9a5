"""The eligibility pre-check: the program's rules and estimate (rules.py), the reasons
given for an outcome (reasons.py), reading answers as people type them (answers.py), the
form's questions and order (form.py) and what each step shows (messages.py)."""
