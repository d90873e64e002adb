"""Download buttons side by side."""

from __future__ import annotations

import streamlit as st


def downloads(files: list[tuple[str, str | bytes, str, str]]) -> None:
    """One button per file: (label, data, file name, MIME type) each."""
    for column, (label, data, name, mime) in zip(st.columns(len(files)), files, strict=True):
        column.download_button(
            label, data=data, file_name=name, mime=mime, on_click="ignore", icon=":material/download:", width="stretch"
        )
