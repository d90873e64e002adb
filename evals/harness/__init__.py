"""Evaluation of the coder: labelled data, metrics, training and the scoring benchmark."""
