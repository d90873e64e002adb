"""The bottom layer: settings, data schema and catalog, behaviour codes, the transcript
format, storage, embeddings and model clients. Imports nothing else of the project."""
