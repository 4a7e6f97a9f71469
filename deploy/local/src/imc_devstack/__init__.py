"""Local stack of IMC Hub: Kafka, FerretDB, Mailpit and the services, without Docker."""
