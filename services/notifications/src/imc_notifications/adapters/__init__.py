"""adapters of the notifications service."""
