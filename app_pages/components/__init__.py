"""Pieces of page any page can reuse for any reader: a transcript, the charts, the report.

They take what they show as arguments (turns, a report, a `Reader`) and keep no page state,
so a coach's or a workshop's page can show someone else's attempt with them.
"""
