"""Measure how well alignment locates guide questions and cuts out their answers.

Runs pipeline.align on labelled interviews (each question's true place known) and prints,
per set: precision and recall of question location, the share of questions handled right
(located at the true place, or reported not-asked when they were not asked), the mean answer
boundary error in seconds, and the answer text overlap with the gold answer (token F1).

Sets (see bench/align_data/README.md):
  example  the bundled example study, transcribed once by the real bundled model
  stress   synthetic interviews generated from the example's script: paraphrased, reordered,
           skipped and merged questions, follow-ups, filler talk, small talk, ASR-like noise
  real     public interview transcripts (Wikinews) with guides written for them in other words;
           the aligner's settings were tuned on these
  heldout  twelve more (eleven Wikinews via GUM, one Spanish Wikinoticias), same protocol,
           built blind; scored blind twice, since then also used to develop the aligner
  unseen   thirteen more (Wikinews via GUM and AMALGUM), same protocol, built blind; scored
           blind once (61.8%), since then also used to develop the aligner
  fresh    twelve more (Wikinews via AMALGUM), same protocol, built blind and scored once,
           after every setting was fixed: the honest figure

    python bench/align_eval.py            # 200 stress interviews
    python bench/align_eval.py --fast     # 30 stress interviews (what CI runs via pytest)
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline import semantic
from pipeline.align import align_interview, normalise
from pipeline.guide import load_guide
from pipeline.models import (
    AnswerStatus,
    AudioSource,
    Guide,
    Interviewee,
    Provenance,
    Segment,
    Transcript,
    Word,
)
from pipeline.transcribe import load_transcript

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "align_data"
PLACE_TOLERANCE = 1.0
"""A located question counts as right when it starts within this many seconds of the
interviewer's turn that asked it."""
PUBLIC_SETS = ("real", "heldout", "unseen", "fresh")
FLOORS = {
    "example": 0.95,
    "stress": 0.95,
    "real": 0.6,
    "heldout": 0.33,
    "unseen": 0.35,
    "fresh": 0.32,
}
"""Minimum share of questions handled right, per set, matching words only (asserted in
tests/test_align_eval.py). The public sets' floors are their measured figures, to catch
regressions; their goal is REAL_TARGET."""
FLOORS_BY_MEANING = {"real": 0.92, "heldout": 0.73, "unseen": 0.69, "fresh": 0.68}
"""The public sets' floors with the `semantic` extra installed (measured 92.0%, 73.0%, 69.1%
and 68.4%)."""
REAL_TARGET = 0.85
"""Share of questions public transcripts should have right (issue #5): met on the set the
settings were first tuned on, not on the others, whose guides often ask in quite other
words than the interviewer did."""


@dataclass(frozen=True)
class Gold:
    """The truth about one asked (or unasked) question."""

    question_id: str
    asked: bool
    question_start: float | None = None
    question_end: float | None = None
    answer_start: float | None = None
    answer_end: float | None = None
    answer: str = ""
    merged_with: str = ""
    early_under: str = ""
    """Id of the question under which this one was (partly) answered early."""


@dataclass(frozen=True)
class Labelled:
    """One interview with its guide, transcript and gold positions."""

    name: str
    guide: Guide
    interviewee: Interviewee
    transcript: Transcript
    gold: tuple[Gold, ...]


@dataclass(frozen=True)
class Notes:
    """What else the truth says, per question id: asked together with / answered early under."""

    merged_with: dict[str, str] = field(default_factory=dict)
    early_under: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """A turn of a scripted or manual transcript: who speaks, what, and which questions."""

    speaker: str
    text: str
    asks: tuple[str, ...] = ()


@dataclass
class Score:
    """Running totals for one set."""

    interviews: int = 0
    questions: int = 0
    right: int = 0
    predicted: int = 0
    true_located: int = 0
    asked: int = 0
    boundary_errors: list[float] = field(default_factory=list)
    f1s: list[float] = field(default_factory=list)
    early_given: int = 0
    """Questions answered early (under another question) in the gold."""
    early_noted: int = 0
    """... of which alignment noted the early answer."""
    early_false: int = 0
    """Questions with an early-answer note the gold does not have."""

    @property
    def accuracy(self) -> float:
        return self.right / self.questions if self.questions else 0.0

    @property
    def precision(self) -> float:
        return self.true_located / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_located / self.asked if self.asked else 1.0


# --- scoring -----------------------------------------------------------------------------------


def token_f1(predicted: str, gold: str) -> float:
    """Bag-of-words F1 of normalised tokens (SQuAD style)."""
    ours, theirs = normalise(predicted).split(), normalise(gold).split()
    if not ours or not theirs:
        return float(ours == theirs)
    common = sum(min(ours.count(t), theirs.count(t)) for t in set(ours))
    if not common:
        return 0.0
    precision, recall = common / len(ours), common / len(theirs)
    return 2 * precision * recall / (precision + recall)


def score_interview(item: Labelled, score: Score) -> list[str]:
    """Add one interview to `score`; return a line per question handled wrong."""
    matrix = align_interview(item.transcript, item.guide, item.interviewee, "en")
    answers = {a.question_id: a for a in matrix.answers}
    wrong = []
    score.interviews += 1
    for gold in item.gold:
        answer = answers[gold.question_id]
        located = answer.status.located
        placed = (
            located
            and gold.asked
            and gold.question_start is not None
            and gold.question_end is not None
            and answer.question_start is not None
            and gold.question_start - PLACE_TOLERANCE
            <= answer.question_start
            <= gold.question_end + PLACE_TOLERANCE
        )
        score.questions += 1
        score.predicted += located
        score.asked += gold.asked
        score.true_located += placed
        if placed or (not gold.asked and not located):
            score.right += 1
        else:
            wrong.append(
                f"{item.name} {gold.question_id}: {answer.status_label} at "
                f"{answer.question_start} (truth: {'asked at ' if gold.asked else 'not asked'}"
                f"{gold.question_start if gold.asked else ''})"
            )
        if placed and answer.status is not AnswerStatus.MERGED and not gold.merged_with:
            _score_answer(answer.answer, answer.start, answer.end, gold, score)
        noted = {e.under_question for e in answer.early_answers}
        score.early_given += bool(gold.early_under)
        score.early_noted += gold.early_under in noted
        score.early_false += bool(noted - {gold.early_under})
    return wrong


def _score_answer(
    text: str, start: float | None, end: float | None, gold: Gold, score: Score
) -> None:
    score.f1s.append(token_f1(text, gold.answer))
    if start is not None and end is not None and gold.answer_start is not None:
        gold_end = gold.answer_end if gold.answer_end is not None else gold.answer_start
        score.boundary_errors.append((abs(start - gold.answer_start) + abs(end - gold_end)) / 2)


def evaluate(sets: dict[str, list[Labelled]]) -> tuple[dict[str, Score], list[str]]:
    """Score every set; also return what went wrong, for the report."""
    scores: dict[str, Score] = {}
    wrong: list[str] = []
    for name, items in sets.items():
        scores[name] = Score()
        for item in items:
            wrong += score_interview(item, scores[name])
    return scores, wrong


def report(scores: dict[str, Score]) -> str:
    header = (
        f"{'set':<8} {'interviews':>10} {'questions':>9} {'right':>7} {'precision':>9} "
        f"{'recall':>7} {'boundary s':>10} {'answer F1':>9} {'early noted':>11} {'false':>5}"
    )
    lines = [header]
    for name, s in scores.items():
        early = f"{s.early_noted}/{s.early_given}"
        boundary = sum(s.boundary_errors) / len(s.boundary_errors) if s.boundary_errors else 0
        f1 = sum(s.f1s) / len(s.f1s) if s.f1s else 0.0
        lines.append(
            f"{name:<8} {s.interviews:>10} {s.questions:>9} {s.accuracy:>7.1%} "
            f"{s.precision:>9.1%} {s.recall:>7.1%} {boundary:>10.2f} {f1:>9.2f} "
            f"{early:>11} {s.early_false:>5}"
        )
    return "\n".join(lines)


# --- turns to transcripts ---------------------------------------------------------------------

_SENTENCES = re.compile(r"(?<=[.?!])\s+")
_PROVENANCE = Provenance(
    sources=(AudioSource("labelled.txt", 0, "0" * 64, 0.0),),
    engine="labelled",
    model="none",
    model_sha256="0" * 64,
    settings={},
    versions={},
    started="2026-01-01T00:00:00+00:00",
    finished="2026-01-01T00:00:00+00:00",
)


def from_turns(
    name: str,
    guide: Guide,
    interviewee: Interviewee,
    turns: Sequence[Turn],
    *,
    labels: dict[str, str],
    rng: random.Random,
    notes: Notes | None = None,
) -> Labelled:
    """A timed transcript (one segment per sentence) and the gold positions of its questions.

    `labels` maps "interviewer"/"interviewee" to the speaker label the segments get (the
    role itself, a voice cluster, or "" for unknown). An answer is the interviewee's speech
    after a question up to the next question-asking turn, follow-up replies included.
    """
    segments: list[Segment] = []
    asked: dict[str, tuple[float, float]] = {}
    answers: dict[str, list[Segment]] = {}
    current: tuple[str, ...] = ()
    merged: dict[str, str] = {}
    clock = 0.0
    for turn in turns:
        clock += rng.uniform(0.3, 1.5)
        start = clock
        for sentence in _SENTENCES.split(turn.text.strip()):
            segment, clock = _segment(sentence, clock, labels[turn.speaker], rng)
            segments.append(segment)
            if turn.speaker == "interviewee" and current:
                answers.setdefault(current[-1], []).append(segment)
        if turn.asks:
            current = turn.asks
            for question_id in turn.asks:
                asked[question_id] = (start, clock)
            merged.update(itertools.pairwise(turn.asks))  # one turn asking two: merged
    transcript = Transcript(
        interviewee.id, interviewee.language or "en", clock, tuple(segments), _PROVENANCE
    )
    notes = Notes({**merged, **notes.merged_with}, notes.early_under) if notes else Notes(merged)
    gold = tuple(
        _gold(q, asked.get(q), answers.get(q, []), notes) for q in interviewee.question_ids
    )
    return Labelled(name, guide, interviewee, transcript, gold)


def _segment(text: str, clock: float, label: str, rng: random.Random) -> tuple[Segment, float]:
    words = []
    for token in text.split():
        length = 0.12 + 0.06 * len(token)
        words.append(
            Word(round(clock, 2), round(clock + length, 2), f" {token}", rng.uniform(0.6, 1.0))
        )
        clock += length + rng.uniform(0.02, 0.15)
    segment = Segment(words[0].start, words[-1].end, f" {text}", tuple(words), speaker=label)
    return segment, words[-1].end


def _gold(
    question_id: str, place: tuple[float, float] | None, answer: list[Segment], notes: Notes
) -> Gold:
    early_under = notes.early_under.get(question_id, "")
    if place is None:
        return Gold(question_id, asked=False, early_under=early_under)
    return Gold(
        question_id,
        asked=True,
        question_start=place[0],
        question_end=place[1],
        answer_start=answer[0].start if answer else None,
        answer_end=answer[-1].end if answer else None,
        answer=" ".join(s.text.strip() for s in answer),
        merged_with=notes.merged_with.get(question_id, ""),
        early_under=early_under,
    )


# --- the labelled sets ------------------------------------------------------------------------


def example_set() -> list[Labelled]:
    """The example study's real-model transcripts with gold from its spoken script."""
    guide = load_guide(REPO / "guides" / "guide.yaml")
    items = []
    for interviewee in guide.interviewees:
        transcript = load_transcript(DATA / "example" / f"{interviewee.id}.json")
        gold = json.loads((DATA / "example" / f"{interviewee.id}.gold.json").read_text("utf-8"))
        items.append(
            Labelled(
                f"example/{interviewee.id}",
                guide,
                interviewee,
                transcript,
                tuple(Gold(**g) for g in gold),
            )
        )
    return items


def real_set(folder: str = "real") -> list[Labelled]:
    """Public interview transcripts (bench/align_data/<folder>/*.yaml) with their guides."""
    items = []
    for path in sorted((DATA / folder).glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        guide = load_guide(path.parent / data["guide"])
        interviewee = guide.interviewee(data["interviewee"])
        turns = [Turn(t["speaker"], t["text"], tuple(t.get("asks", ()))) for t in data["turns"]]
        labels = {"interviewer": "", "interviewee": ""}
        items.append(
            from_turns(
                f"{folder}/{path.stem}",
                guide,
                interviewee,
                turns,
                labels=labels,
                rng=random.Random(0),
            )
        )
    return items


# --- the synthetic stress set ----------------------------------------------------------------

_PHRASES = {
    "es": {
        "prefix": ("Bueno, ", "Le quería preguntar, ", "Ahora, ", "Y cuénteme, "),
        "join": ("Y también, ", "Y además, "),
        "filler": ("Eh, bueno, ", "Mire, ", "Este, pues, ", "A ver, "),
        "follow_up": ("¿Podría darme un ejemplo?", "¿Y eso por qué?", "¿Cómo así?"),
        "reply": (
            "Sí, por ejemplo, el año pasado lo hicimos con varios socios locales.",
            "Porque no había otra forma de hacerlo en ese momento.",
        ),
        "greeting": "Buenos días, muchas gracias por recibirme.",
        "small_talk": ("¿Quiere un poco de agua?", "Sí, gracias, muy amable."),
        "closing": ("Muchas gracias por su tiempo.", "A usted, fue un gusto."),
        "already": "Como ya le dije, ",
        "synonyms": {
            "principales": "más importantes",
            "considera": "cree",
            "desafíos": "retos",
            "lograr": "alcanzar",
            "proyecto": "programa",
            "importantes": "relevantes",
            "útiles": "prácticos",
        },
    },
    "en": {
        "prefix": ("So, ", "I wanted to ask you, ", "Now, ", "And tell me, "),
        "join": ("And also, ", "And on top of that, "),
        "filler": ("Um, well, ", "You know, ", "Uh, so, ", "Let me see, "),
        "follow_up": ("Could you give me an example?", "Why is that?", "What do you mean?"),
        "reply": (
            "Yes, for example, last year we did it with several local partners.",
            "Because there was no other way to do it at that moment.",
        ),
        "greeting": "Good morning, thank you for receiving me.",
        "small_talk": ("Would you like some water?", "Yes, thank you, very kind."),
        "closing": ("Thank you very much for your time.", "Thank you, it was a pleasure."),
        "already": "As I told you, ",
        "synonyms": {
            "main": "most important",
            "consider": "think",
            "challenges": "difficulties",
            "achieve": "reach",
            "project": "programme",
            "important": "relevant",
            "useful": "practical",
        },
    },
}


@dataclass
class _Block:
    """One guide question of the script with its answer sentences."""

    question_ids: list[str]
    question: str
    answer: list[str]


def stress_set(count: int, seed: int = 2026) -> list[Labelled]:
    """`count` synthetic interviews made from the example's spoken script, with known truth."""
    guide = load_guide(REPO / "guides" / "guide.yaml")
    script = yaml.safe_load((REPO / "scripts" / "example_interviews.yaml").read_text("utf-8"))
    rng = random.Random(seed)
    modes = ("", "roles", "clusters")
    items = []
    for n in range(count):
        interviewee = guide.interviewees[n % len(guide.interviewees)]
        language = script[interviewee.id]["language"]
        turns, notes = _stress_turns(script[interviewee.id]["turns"], guide, language, rng)
        labels = _labels(modes[n % len(modes)], rng)
        items.append(
            from_turns(
                f"stress/{n:03d}-{interviewee.id}",
                guide,
                interviewee,
                turns,
                labels=labels,
                rng=rng,
                notes=notes,
            )
        )
    return items


def _labels(mode: str, rng: random.Random) -> dict[str, str]:
    if mode == "roles":
        return {"interviewer": "interviewer", "interviewee": "interviewee"}
    if mode == "clusters":
        first, second = rng.sample(["speaker-1", "speaker-2"], 2)
        return {"interviewer": first, "interviewee": second}
    return {"interviewer": "", "interviewee": ""}


def _stress_turns(
    script_turns: list[dict], guide: Guide, language: str, rng: random.Random
) -> tuple[list[Turn], Notes]:
    phrases = _PHRASES[language]
    blocks = _blocks(script_turns, guide, language)
    early_under: list[tuple[str, _Block]] = []
    if rng.random() < 0.6:  # reorder: move one question elsewhere
        block = blocks.pop(rng.randrange(len(blocks)))
        blocks.insert(rng.randrange(len(blocks) + 1), block)
    if rng.random() < 0.5:  # skip one question
        blocks.pop(rng.randrange(len(blocks)))
    if rng.random() < 0.5 and len(blocks) >= 3:  # early answer
        i = rng.randrange(len(blocks) - 1)
        j = rng.randrange(i + 1, len(blocks))
        if len(blocks[j].answer) > 1:
            early = blocks[j].answer.pop(0)
            blocks[i].answer.append(early)
            early_under.append((blocks[j].question_ids[0], blocks[i]))
            blocks[j].answer[0] = phrases["already"] + _lower_first(blocks[j].answer[0])
    notes = Notes()
    if rng.random() < 0.4 and len(blocks) >= 2:  # two questions asked in one breath
        i = rng.randrange(len(blocks) - 1)
        a, b = blocks[i], blocks.pop(i + 1)
        notes.merged_with[a.question_ids[-1]] = b.question_ids[0]
        a.question = f"{a.question} {rng.choice(phrases['join'])}{_lower_first(b.question)}"
        a.question_ids += b.question_ids
        a.answer += b.answer
    turns = [Turn("interviewer", phrases["greeting"])]
    if rng.random() < 0.5:
        turns += [
            Turn("interviewer", phrases["small_talk"][0]),
            Turn("interviewee", phrases["small_talk"][1]),
        ]
    for block in blocks:
        question = block.question
        if rng.random() < 0.5:
            question = _paraphrase(question, phrases, rng, whole=len(block.question_ids) > 1)
        turns.append(Turn("interviewer", _noise(question, rng), tuple(block.question_ids)))
        answer = " ".join(block.answer)
        if rng.random() < 0.5:
            answer = rng.choice(phrases["filler"]) + _lower_first(answer)
        turns.append(Turn("interviewee", _noise(answer, rng)))
        if rng.random() < 0.3:
            turns.append(Turn("interviewer", _noise(rng.choice(phrases["follow_up"]), rng)))
            turns.append(Turn("interviewee", _noise(rng.choice(phrases["reply"]), rng)))
    turns += [
        Turn("interviewer", phrases["closing"][0]),
        Turn("interviewee", phrases["closing"][1]),
    ]
    notes.early_under.update({q: block.question_ids[-1] for q, block in early_under})
    return turns, notes


def _blocks(script_turns: list[dict], guide: Guide, language: str) -> list[_Block]:
    """Each scripted question with the guide's text (the stress set paraphrases it itself)."""
    blocks: list[_Block] = []
    for turn in script_turns:
        if turn.get("question"):
            text = guide.question(turn["question"]).text_in(language)
            blocks.append(_Block([turn["question"]], text, []))
        elif turn["speaker"] == "interviewee" and blocks:
            blocks[-1].answer += _SENTENCES.split(turn["text"].strip())
    return blocks


def _paraphrase(question: str, phrases: dict, rng: random.Random, *, whole: bool) -> str:
    """Synonyms, a dropped word or two, a spoken lead-in; the second half of a two-part
    question is sometimes left out (unless `whole`: two merged questions)."""
    parts = re.split(r"(?<=\?)\s+", question)
    if len(parts) > 1 and not whole and rng.random() < 0.5:
        parts = parts[:1]
    words = " ".join(parts).split()
    words = [phrases["synonyms"].get(w, w) for w in words]
    for _ in range(rng.randint(0, 2) if len(words) > 8 else 0):
        words.pop(rng.randrange(2, len(words) - 1))
    return rng.choice(phrases["prefix"]) + _lower_first(" ".join(words))


def _noise(text: str, rng: random.Random, rate: float = 0.08) -> str:
    """Recognition-like damage: lost accents and punctuation, split, merged or misspelt words."""
    words = text.split()
    out: list[str] = []
    for word in words:
        roll = rng.random()
        if roll < rate / 4:
            word = normalise(word) or word
        elif roll < rate / 2 and len(word) > 5:
            cut = rng.randrange(2, len(word) - 2)
            word = f"{word[:cut]} {word[cut:]}"
        elif roll < 3 * rate / 4 and len(word) > 3:
            i = rng.randrange(1, len(word) - 1)
            word = word[:i] + word[i + 1 :]
        elif roll < rate and out:
            out[-1] += word
            continue
        out.append(word)
    noisy = " ".join(out)
    if rng.random() < 0.2:
        noisy = noisy.replace("¿", "").replace("?", "")
    return noisy


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and not text[1:2].isupper() else text


# --- command line -----------------------------------------------------------------------------


def all_sets(stress_count: int) -> dict[str, list[Labelled]]:
    sets = {"example": example_set(), "stress": stress_set(stress_count)}
    for folder in PUBLIC_SETS:
        if items := real_set(folder):
            sets[folder] = items
    return sets


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="30 stress interviews, not 200")
    parser.add_argument("--show-wrong", action="store_true", help="list the misplaced questions")
    parser.add_argument(
        "--lexical", action="store_true", help="match words only, as without the semantic extra"
    )
    args = parser.parse_args(argv)
    semantic.ENABLED = not args.lexical
    print(f"matching by meaning: {'yes' if semantic.embedder() else 'no'}")
    scores, wrong = evaluate(all_sets(30 if args.fast else 200))
    print(report(scores))
    if args.show_wrong:
        print("\n".join(wrong))
    for name in PUBLIC_SETS:
        if name in scores and scores[name].accuracy < REAL_TARGET:
            print(f"{name}: below the {REAL_TARGET:.0%} target")
    floors = {**FLOORS, **(FLOORS_BY_MEANING if semantic.embedder() else {})}
    below = [n for n, s in scores.items() if s.accuracy < floors[n]]
    if below:
        print(f"below the accuracy floor: {', '.join(below)}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
