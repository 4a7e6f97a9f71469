"""domain of the roadmaps service."""
