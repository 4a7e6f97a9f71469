"""domain of the notifications service."""
