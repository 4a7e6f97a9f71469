"""IMC Hub notifications: localized, event-driven email to the programme's partners."""
