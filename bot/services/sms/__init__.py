"""Text messages to citizens: one client per gateway with a local mode (gateway.py) and the
budgets per mobile and overall that stop SMS pumping (budget.py)."""
