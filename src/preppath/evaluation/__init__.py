"""Scoring answers: the offline rubric scorer and the text analysis it rests on."""
