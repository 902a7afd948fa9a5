"""The eligibility pre-check: the program's rules and estimate (rules.py), the reasons
given for an outcome (reasons.py), reading answers as people type them (answers.py; the
household questions, lists of people and incomes in parts, in family.py; a reply and
yes/no in reply.py), the form's questions and order (form.py) and what each step shows
(messages.py)."""
