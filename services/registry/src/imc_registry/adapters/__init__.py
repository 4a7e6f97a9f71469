"""adapters of the registry service."""
