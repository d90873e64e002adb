"""The rehearsal engine: conversation state, director, voice, guard, retrieval, the
rehearsal itself and its debrief. Built on the core and the coder/scorer in `evals`."""
