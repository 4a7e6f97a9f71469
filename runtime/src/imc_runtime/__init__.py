"""Shared runtime of IMC Hub services: the plumbing every service uses, written once."""
