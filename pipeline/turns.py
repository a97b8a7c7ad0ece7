"""Who speaks when: each transcript word gets the role of its speaker, where that is known.

Three kinds of input meet here. A labelled manual transcript names the roles outright
("interviewer", "interviewee"). Voice-based speaker separation gives anonymous voice
clusters ("speaker-1", "speaker-2", ...): the cluster that asks the guide's questions is
the interviewer, every other cluster an interviewee. Plain recognition gives no label at
all (""); alignment then falls back on the text itself (question form, guide matches).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

INTERVIEWER = "interviewer"
INTERVIEWEE = "interviewee"
UNKNOWN = ""
ROLES = (INTERVIEWER, INTERVIEWEE)


def resolve_roles(labels: Sequence[str], question_evidence: Sequence[float]) -> list[str]:
    """The role of each word, from its speaker label.

    `question_evidence` says, per word, how strongly it belongs to a passage that matches a
    guide question. Explicit roles are kept; voice clusters become the interviewer (the
    cluster with the most evidence) or interviewees. A single cluster, or clusters without
    any evidence, cannot be told apart and stay unknown.
    """
    clusters = sorted({label for label in labels if label not in (*ROLES, UNKNOWN)})
    if not clusters:
        return list(labels)
    evidence: dict[str, float] = defaultdict(float)
    for label, weight in zip(labels, question_evidence, strict=True):
        evidence[label] += weight
    interviewer = max(clusters, key=lambda c: evidence[c])
    if len(clusters) < 2 or evidence[interviewer] <= 0.0:
        return [UNKNOWN if label in clusters else label for label in labels]
    return [
        INTERVIEWER if label == interviewer else INTERVIEWEE if label in clusters else label
        for label in labels
    ]


def majority_role(roles: Sequence[str]) -> str:
    """The role of most of these words ("" when most are unknown or there is a tie)."""
    counts = {role: sum(r == role for r in roles) for role in ROLES}
    best = max(ROLES, key=lambda role: counts[role])
    others = len(roles) - counts[best]
    return best if counts[best] > others else UNKNOWN
