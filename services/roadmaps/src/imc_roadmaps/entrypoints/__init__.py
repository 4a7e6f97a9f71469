"""entrypoints of the roadmaps service."""
