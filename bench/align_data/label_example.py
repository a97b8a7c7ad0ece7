"""Write the gold positions of the example study's questions (run once per transcript).

The example recordings were synthesised from scripts/example_interviews.yaml, so the truth
is known turn by turn. Each transcript word is matched to the script's words (difflib on
normalised words); a turn's place is the span of the transcript words matched to it. The
aligner itself never sees the script: it only has the guide.

    python bench/align_data/label_example.py
"""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from pathlib import Path

import yaml

from pipeline.align import normalise, transcript_words
from pipeline.transcribe import load_transcript

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def turn_spans(turns: list[dict], texts: list[str]) -> list[tuple[int, int] | None]:
    """(first, last) transcript word matched to each script turn, or None."""
    words = [normalise(t) for t in texts]
    script: list[str] = []
    owner: list[int] = []
    for index, turn in enumerate(turns):
        tokens = normalise(turn["text"]).split()
        script += tokens
        owner += [index] * len(tokens)
    matched: dict[int, list[int]] = {}
    matcher = SequenceMatcher(None, script, words, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            matched.setdefault(owner[block.a + k], []).append(block.b + k)
    taken = {w for ws in matched.values() for w in ws}
    return [
        (_widen(min(m), taken, texts), max(m)) if (m := matched.get(i)) else None
        for i in range(len(turns))
    ]


def _widen(first: int, taken: set[int], texts: list[str]) -> int:
    """Take in misheard words at a turn's start that no other turn claims, back to the end
    of the previous sentence."""
    while first > 0 and first - 1 not in taken and texts[first - 1].strip()[-1:] not in ".?!":
        first -= 1
    return first


def label(interviewee_id: str, turns: list[dict], question_ids: list[str]) -> list[dict]:
    transcript = load_transcript(HERE / "example" / f"{interviewee_id}.json")
    words = transcript_words(transcript)
    spans = turn_spans(turns, [w.text for w in words])
    gold: dict[str, dict] = {}
    current = None
    for turn, span in zip(turns, spans, strict=True):
        if turn.get("question"):
            current = turn["question"]
            assert span, f"{interviewee_id}: question {current} not heard"
            gold[current] = {
                "question_id": current,
                "asked": True,
                "question_start": words[span[0]].start,
                "question_end": words[span[1]].end,
                "answer_start": None,
                "answer_end": None,
                "answer": "",
                "merged_with": "",
            }
        elif turn["speaker"] == "interviewee" and current and span:
            entry = gold[current]
            entry["answer_start"] = entry["answer_start"] or words[span[0]].start
            entry["answer_end"] = words[span[1]].end
            entry["answer"] = " ".join(filter(None, (entry["answer"], turn["text"])))
    return [gold.get(q, {"question_id": q, "asked": False}) for q in question_ids]


def main() -> None:
    script = yaml.safe_load((REPO / "scripts" / "example_interviews.yaml").read_text("utf-8"))
    guide = yaml.safe_load((REPO / "guides" / "guide.yaml").read_text("utf-8"))
    for interviewee in guide["interviewees"]:
        gold = label(
            interviewee["id"], script[interviewee["id"]]["turns"], interviewee["questions"]
        )
        path = HERE / "example" / f"{interviewee['id']}.gold.json"
        path.write_text(json.dumps(gold, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
