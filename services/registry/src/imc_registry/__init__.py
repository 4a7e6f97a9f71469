"""IMC Hub registry: who takes part, and the one door through which frontends publish updates."""
