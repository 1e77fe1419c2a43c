"""Saved searches over tenders and their alerts (French digests, e-mailed when SMTP is set).

`searches` keeps the saved searches in the app database, `digest` renders a digest,
`mailer` sends it, `run` finds the new notices of each search and delivers them once.
"""
