"""Coding and scoring of rehearsal transcripts against the rubric."""
