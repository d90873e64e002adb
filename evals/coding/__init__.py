"""The behaviour coder: rules, features, the trained classifier and the optional LLM coder."""
