"""service_layer of the notifications service."""
