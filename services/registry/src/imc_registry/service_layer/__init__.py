"""service_layer of the registry service."""
