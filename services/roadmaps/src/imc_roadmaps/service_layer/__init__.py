"""service_layer of the roadmaps service."""
