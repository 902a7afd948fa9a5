"""«صوتك مسموع» complaint tickets: create, look up and change status (records.py), and the
category read from what the citizen typed (categories.py)."""
