"""Roles a person prepares for, and the stacks and topics each one draws on."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    key: str
    title: str
    aliases: tuple[str, ...]
    stacks: tuple[str, ...]
    behavioral_tags: tuple[str, ...] = ()
    """Topics to favour among behavioural questions (a manager is asked about managing)."""


ROLES: tuple[Role, ...] = (
    Role(
        "backend",
        "Backend Engineer",
        ("backend", "back end", "back-end", "server", "api"),
        ("python", "java", "go", "nodejs", "sql", "docker", "dsa"),
    ),
    Role(
        "frontend",
        "Frontend Engineer",
        ("frontend", "front end", "front-end", "ui", "web"),
        ("javascript", "typescript", "react"),
    ),
    Role(
        "fullstack",
        "Full-Stack Engineer",
        ("full-stack", "fullstack", "full stack"),
        ("javascript", "typescript", "react", "nodejs", "sql"),
    ),
    Role(
        "mobile",
        "Mobile Engineer",
        ("mobile", "android", "ios"),
        ("kotlin", "swift", "react-native"),
    ),
    Role(
        "data",
        "Data Engineer",
        ("data engineer", "data", "analytics", "etl", "analyst"),
        ("sql", "python", "spark"),
    ),
    Role(
        "devops",
        "DevOps / SRE",
        ("devops", "sre", "site reliability", "platform", "infra", "cloud"),
        ("docker", "kubernetes", "aws"),
    ),
    Role(
        "ml",
        "Machine Learning Engineer",
        ("machine learning", "ml", "ai", "data scientist"),
        ("machine-learning", "python", "sql"),
    ),
    Role(
        "manager",
        "Engineering Manager",
        ("manager", "em", "head of", "director", "lead"),
        ("dsa",),
        ("management", "leadership", "mentoring", "feedback"),
    ),
    Role(
        "software",
        "Software Engineer",
        ("software", "swe", "developer", "engineer", "programmer"),
        ("dsa", "python", "java", "javascript", "sql"),
    ),
)


def resolve_role(text: str) -> Role | None:
    """The role whose alias appears in `text` as whole words; earlier roles win, so the generic
    "software engineer" only catches what nothing more specific did."""
    words = " " + " ".join(re.findall(r"[a-z0-9+#-]+", text.lower())) + " "
    for role in ROLES:
        for alias in role.aliases:
            if f" {alias} " in words:
                return role
    return None
