"""«صوتك مسموع» complaint tickets: create, look up and change status (records.py), the
category read from what the citizen typed (categories.py), and the status report the
citizen gets in their language (wording.py)."""
