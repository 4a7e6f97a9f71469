"""adapters of the roadmaps service."""
