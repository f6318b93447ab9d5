"""Providers of questions, speech-to-text, text-to-speech and evaluation, and their factory."""
