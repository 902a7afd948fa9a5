"""The notification sender's process (sender.py): the outbox delivered on each channel
(delivery.py), and the Rasa server's live pushes to open widgets (push.py)."""
