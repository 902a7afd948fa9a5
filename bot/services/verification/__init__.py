"""Proving who is asking: national ID, mobile and IBAN validation (validators.py) and
one-time codes by SMS (otp.py)."""
