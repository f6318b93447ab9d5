"""Batch practice: plan files that create interviews and answer them without prompts."""
