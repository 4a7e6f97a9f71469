"""Local stack of IMC Hub: Kafka, FerretDB, a mail catcher and the services, without Docker."""
