"""Personal data kept no longer than needed (Saudi Personal Data Protection Law): retention
periods and the purge (retention.py, schedule.py, retention_console.py), erasure on request
(erasure.py, subject.py), and the tables and databases both work on (tables.py, databases.py).
Masking for logs and staff pages is bot.masking, a leaf every layer uses."""
