"""Sparring's rehearsal engine: scenarios, retrieval, persona, conversation state, storage, models."""
