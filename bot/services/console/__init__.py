"""What the supervisors' console reads and records: each bot turn's analytics row
(turns.py), the numbers (stats.py, rollup.py, sql.py), citizens' ratings (csat.py), the review
queue (review.py) and its export to training data (review_export.py)."""
