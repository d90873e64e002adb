"""From coded turns to the rubric's scores, feedback and the report (with its exports)."""
