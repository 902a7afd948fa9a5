"""The web chat widget: its channel (channel.py), what it is told about the people in the
conversation (agent.py), and its script, style and demo page (static/)."""
