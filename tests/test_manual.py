"""Typed transcripts (TXT, DOCX, WebVTT, SRT with speaker labels) as input instead of audio:
reading every format with English and Spanish labels, through to aligned answers, the
exports of untimed transcripts, the guide's `transcript:` key and the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import docx
import pytest
from fakes import (
    A1,
    A2,
    A4,
    GREETING,
    GUIDE_YAML,
    Q1_EN,
    Q1_ES,
    Q2_EN,
    Q2_ES,
    Q4_EN,
    Q4_ES,
    FakeTranscriber,
    invoke,
    write_study,
)

from pipeline.errors import GuideError, TranscriptError
from pipeline.export import FORMATS
from pipeline.guide import load_guide
from pipeline.manual import Names, guess_language, read_manual_transcript
from pipeline.models import AnswerStatus, InterviewMatrix
from pipeline.study import load_study
from pipeline.transcribe import load_transcript
from pipeline.workflow import align_study, aligned_path, export_study, open_study

Turn = tuple[str, str, float, float]
"""(label, text, start s, end s)."""

EN_ANSWERS = (
    "Mobility and funding are the biggest challenges.",
    "We signed agreements with three universities of the city.",
    "Citizens must take part in the decisions of their neighbourhood.",
)
ES_ANSWERS = (A1, A2, A4)


def interview(asker: str, answerer: str, questions: Sequence[str], answers: Sequence[str]):
    """A greeting plus three question/answer pairs, 5 s per turn."""
    texts = [f"Good morning. {questions[0]}" if asker[0] in "IQ" else f"{GREETING} {questions[0]}"]
    texts += [answers[0], questions[1], answers[1], questions[2], answers[2]]
    labels = [asker, answerer] * 3
    return [
        (label, text, 5.0 * i, 5.0 * i + 4.0)
        for i, (label, text) in enumerate(zip(labels, texts, strict=True))
    ]


ENGLISH = interview("Interviewer", "Interviewee", (Q1_EN, Q2_EN, Q4_EN), EN_ANSWERS)
SPANISH = interview("Entrevistador", "Entrevistado", (Q1_ES, Q2_ES, Q4_ES), ES_ANSWERS)


def srt_time(seconds: float) -> str:
    return f"00:00:{int(seconds):02d},{round(seconds % 1 * 1000):03d}"


def write_txt(path: Path, turns: Sequence[Turn]) -> Path:
    lines = ["Interview transcript", ""] + [f"{label}: {text}" for label, text, _, _ in turns]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_docx(path: Path, turns: Sequence[Turn]) -> Path:
    document = docx.Document()
    document.add_heading("Interview transcript", level=1)
    for label, text, _, _ in turns:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}:").bold = True
        paragraph.add_run(f" {text}")
    document.save(str(path))
    return path


def write_vtt(path: Path, turns: Sequence[Turn]) -> Path:
    cues = ["WEBVTT", "NOTE made by hand"]
    for label, text, start, end in turns:
        times = f"{srt_time(start).replace(',', '.')} --> {srt_time(end).replace(',', '.')}"
        cues.append(f"{times} line:90%\n<v {label}>{text}</v>")
    path.write_text("\n\n".join(cues) + "\n", encoding="utf-8")
    return path


def write_srt(path: Path, turns: Sequence[Turn]) -> Path:
    cues = [
        f"{number}\n{srt_time(start)} --> {srt_time(end)}\n{label}: {text}"
        for number, (label, text, start, end) in enumerate(turns, start=1)
    ]
    path.write_text("\n\n".join(cues) + "\n", encoding="utf-8")
    return path


WRITERS: dict[str, Callable[[Path, Sequence[Turn]], Path]] = {
    "txt": write_txt,
    "docx": write_docx,
    "vtt": write_vtt,
    "srt": write_srt,
}
TIMED = {"txt": False, "docx": False, "vtt": True, "srt": True}


def aligned(root: Path, interviewee_id: str = "felipe-ochoa") -> InterviewMatrix:
    data = json.loads(aligned_path(load_study(root), interviewee_id).read_text("utf-8"))
    return InterviewMatrix.from_dict(data)


@pytest.mark.parametrize("suffix", WRITERS)
@pytest.mark.parametrize(
    ("turns", "answers", "language"),
    [(ENGLISH, EN_ANSWERS, "en"), (SPANISH, ES_ANSWERS, "es")],
    ids=["english-labels", "spanish-labels"],
)
def test_each_format_aligns_to_the_guide(
    study_root: Path,
    tmp_path: Path,
    suffix: str,
    turns: Sequence[Turn],
    answers: Sequence[str],
    language: str,
) -> None:
    """Guide questions are found in the typed text and the answers cut out, with the
    cue times for subtitles and no times at all for untimed TXT/DOCX."""
    source = WRITERS[suffix](tmp_path / f"felipe.{suffix}", turns)
    study, guide = open_study(study_root)
    felipe = guide.interviewee("felipe-ochoa")
    outcomes = align_study(study, guide, [felipe], transcripts={felipe.id: source})
    assert [o.detail for o in outcomes] == ["3/3 questions located"]

    transcript = load_transcript(study_root / "transcripts" / "felipe-ochoa.json")
    assert transcript.timed is TIMED[suffix]
    assert transcript.provenance.engine == "manual"
    assert [s.speaker for s in transcript.segments] == ["interviewer", "interviewee"] * 3
    matrix = aligned(study_root)
    assert [a.status for a in matrix.answers] == [AnswerStatus.FOUND] * 3
    assert [a.answer for a in matrix.answers] == list(answers)
    assert matrix.source_files == (source.name,)
    if TIMED[suffix]:
        # Answers are turns 1, 3, 5: from their cue's start to its end.
        assert [(a.start, a.end) for a in matrix.answers] == [
            (5.0, 9.0),
            (15.0, 19.0),
            (25.0, 29.0),
        ]
        assert matrix.answers[1].question_start == 10.0
    else:
        for answer in matrix.answers:
            assert (answer.start, answer.end, answer.question_start, answer.question_end) == (
                None,
                None,
                None,
                None,
            )
    assert transcript.language == "es"  # the guide's language for felipe-ochoa
    assert guess_language(transcript.segments) == language


def test_stamped_txt_is_timed_and_multi_line_turns_join(tmp_path: Path) -> None:
    path = tmp_path / "stamped.txt"
    path.write_text(
        "Entrevista a Felipe Ochoa\n"
        "Fecha: 12 de marzo de 2023\n"
        "\n"
        "[00:00:04] ENTREVISTADORA: ¿Cuáles son los principales\n"
        "desafíos de Cuenca?\n"
        "[00:00:10] Felipe Ochoa: La movilidad.\n"
        "Note: y el financiamiento.\n"
        "[00:01:02] P: ¿Y las alianzas?\n"
        "[00:01:05] R.: Son útiles.\n",
        encoding="utf-8",
    )
    manual = read_manual_transcript(path, Names(interviewee="Felipe Ochoa"))
    assert manual.timed
    assert [(s.start, s.speaker, s.text) for s in manual.segments] == [
        (4.0, "interviewer", " ¿Cuáles son los principales desafíos de Cuenca?"),
        (10.0, "interviewee", " La movilidad. Note: y el financiamiento."),
        (62.0, "interviewer", " ¿Y las alianzas?"),
        (65.0, "interviewee", " Son útiles."),
    ]
    assert manual.segments[1].end == 62.0  # a stamped turn ends where the next starts
    assert manual.segments[-1].end == pytest.approx(65.0 + 2 * 0.4)


def test_names_from_the_guide_and_the_author_are_labels(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text(
        "Kiaved: ¿Qué alianzas han sido útiles?\nOchoa: La cámara de comercio.\n", "utf-8"
    )
    names = Names(interviewee="Felipe Ochoa", interviewer="Kiaved Orellana")
    manual = read_manual_transcript(path, names)
    assert manual.roles == {"Kiaved": "interviewer", "Ochoa": "interviewee"}


def test_two_unknown_labels_the_one_asking_is_the_interviewer(tmp_path: Path) -> None:
    """Labels found nowhere in the guide: the speaker whose turns ask is the interviewer,
    whoever speaks first."""
    path = tmp_path / "unknown.txt"
    path.write_text(
        "MARÍA: Buenos días, gracias por la invitación.\n"
        f"JUAN: {Q1_ES}\n"
        f"MARÍA: {A1}\n"
        f"JUAN: {Q2_ES}\n"
        f"MARÍA: {A2} ¿Le parece?\n",
        encoding="utf-8",
    )
    manual = read_manual_transcript(path, Names(questions=(Q1_ES, Q2_ES)))
    assert manual.roles == {"MARÍA": "interviewee", "JUAN": "interviewer"}
    assert not manual.timed


def test_a_third_voice_keeps_no_role(tmp_path: Path) -> None:
    path = tmp_path / "three.txt"
    path.write_text(
        "I: ¿Cómo coopera el municipio?\n"
        "R: Con convenios.\n"
        "Asistente: Perdón, se cortó la grabación.\n"
        "I: ¿Y con las empresas?\n"
        "Asistente: Ya funciona.\n"
        "R: También.\n",
        encoding="utf-8",
    )
    manual = read_manual_transcript(path)
    assert [s.speaker for s in manual.segments] == [
        *("interviewer", "interviewee", "", "interviewer", "", "interviewee")
    ]


def test_one_role_known_the_other_label_takes_the_other(tmp_path: Path) -> None:
    path = tmp_path / "one.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:03,500\nEntrevistador: ¿Qué alianzas?\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\nDra. Vega: Las locales.\n"
        "Sobre todo con la universidad.\n\n"
        "3\n00:00:06,500 --> 00:00:08,000\n(sigue hablando)\n\n"
        "4\n00:00:09,000 --> 00:00:10,000\nDra. Vega: Nada más.\n",
        encoding="utf-8",
    )
    manual = read_manual_transcript(path)
    assert manual.roles == {"Entrevistador": "interviewer", "Dra. Vega": "interviewee"}
    answer = manual.segments[1]
    # A cue without a label continues the turn; its end time ends the turn.
    assert (answer.start, answer.end) == (4.0, 8.0)
    assert answer.text == " Las locales. Sobre todo con la universidad. (sigue hablando)"
    assert [w.text for w in answer.words][:2] == [" Las", " locales."]


def test_vtt_voice_tag_and_label_prefix_forms(tmp_path: Path) -> None:
    path = tmp_path / "teams.vtt"
    path.write_text(
        "WEBVTT\n\n"
        "a1b2-0\n00:00:00.500 --> 00:00:02.000\n<v Interviewer>What &amp; why?</v>\n\n"
        "a1b2-1\n00:02.000 --> 00:04.000\n<v.loud Respondent>Because &lt;reasons&gt;.\n"
        "More.\n\n"
        "00:04.000 --> 00:05.000\nInterviewer: Thanks.\n",
        encoding="utf-8",
    )
    manual = read_manual_transcript(path)
    assert [(s.speaker, s.text, s.start, s.end) for s in manual.segments] == [
        ("interviewer", " What & why?", 0.5, 2.0),
        ("interviewee", " Because <reasons>. More.", 2.0, 4.0),
        ("interviewer", " Thanks.", 4.0, 5.0),
    ]


def test_docx_table_rows_are_turns(tmp_path: Path) -> None:
    """Some transcripts are a two-column table: speaker | what they said."""
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    for row, (label, text) in zip(
        table.rows, [("Pregunta", "¿Qué alianzas?"), ("Respuesta", "Las locales.")], strict=True
    ):
        row.cells[0].text, row.cells[1].text = label, text
    path = tmp_path / "table.docx"
    document.save(str(path))
    manual = read_manual_transcript(path)
    assert [(s.speaker, s.text) for s in manual.segments] == [
        ("interviewer", " ¿Qué alianzas?"),
        ("interviewee", " Las locales."),
    ]


# --- Errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "plain.txt",
            b"Just some text.\nNo speakers here.\n",
            "line 1: no speaker labels found; start each turn with one, e.g. 'Interviewer: "
            "...' and 'Interviewee: ...' (or 'Entrevistador:' / 'Entrevistado:')",
        ),
        (
            "latin1.txt",
            "Interviewer: Hola\nInterviewee: Adiós señor\n".encode("latin-1"),
            "line 2: not UTF-8 text; save the transcript as UTF-8",
        ),
        ("broken.docx", b"not a zip file", "cannot read the Word file"),
        (
            "old.doc",
            b"x",
            "unsupported transcript format '.doc' (use .txt, .docx, .vtt, .srt); save it as .docx",
        ),
        (
            "monologue.txt",
            b"Juan: Hola.\nJuan: Sigo yo.\n",
            "line 1: only one speaker (Juan) found; label the turns of both the interviewer "
            "and the interviewee",
        ),
        (
            "crowd.txt",
            b"Ana: Hola?\nBeto: Hola.\nCarla: Hola.\nAna: Bien?\nBeto: Si.\nCarla: Si.\n",
            "line 3: 3 speakers (Ana, Beto, Carla) and none labelled as interviewer or "
            "interviewee; rename the two main ones to 'Interviewer:' and 'Interviewee:'",
        ),
        ("empty.vtt", b"WEBVTT\n", "line 1: no speaker labels found"),
    ],
)
def test_unreadable_or_unlabelled_input_names_file_and_line(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TranscriptError) as caught:
        read_manual_transcript(path)
    assert caught.value.message.startswith(message)
    assert caught.value.file == path


# --- Exports of untimed transcripts -----------------------------------------------------------


def test_untimed_transcript_exports_show_no_times(study_root: Path, tmp_path: Path) -> None:
    source = write_docx(tmp_path / "felipe.docx", SPANISH)
    study, guide = open_study(study_root)
    felipe = guide.interviewee("felipe-ochoa")
    align_study(study, guide, [felipe], transcripts={felipe.id: source})
    from pipeline.export import ExportOptions

    options = ExportOptions(timestamps=True)
    formats = ["appendix1-docx", "transcript-txt", "transcript-srt", "transcript-docx"]
    assert set(formats) <= set(FORMATS)
    paths, outcomes = export_study(study, guide, [felipe], formats, options=options)
    assert all(o.ok for o in outcomes)
    names = sorted(p.relative_to(study.exports_dir).as_posix() for p in paths)
    # No subtitles can be made without times; the other exports are written.
    assert names == [
        "appendix1.docx",
        "transcripts/felipe-ochoa.docx",
        "transcripts/felipe-ochoa.txt",
    ]
    appendix = docx.Document(str(study.exports_dir / "appendix1.docx"))
    cells = " ".join(c.text for t in appendix.tables for r in t.rows for c in r.cells)
    assert A1 in cells and "[00:" not in cells
    text = (study.exports_dir / "transcripts" / "felipe-ochoa.txt").read_text("utf-8")
    assert "[00:" not in text
    assert f"Felipe Ochoa: {A1}" in text
    assert f"Interviewer: {Q2_ES}" in text
    assert "Speaker labels come from the typed transcript." in text
    document = docx.Document(str(study.exports_dir / "transcripts" / "felipe-ochoa.docx"))
    paragraphs = [p.text for p in document.paragraphs]
    assert f"Felipe Ochoa: {A1}" in paragraphs


def test_timed_transcript_exports_keep_cue_times(study_root: Path, tmp_path: Path) -> None:
    source = write_srt(tmp_path / "felipe.srt", SPANISH)
    study, guide = open_study(study_root)
    felipe = guide.interviewee("felipe-ochoa")
    align_study(study, guide, [felipe], transcripts={felipe.id: source})
    paths, _ = export_study(study, guide, [felipe], ["transcript-srt"])
    srt = paths[0].read_text("utf-8")
    assert f"00:00:05,000 --> 00:00:09,000\nFelipe Ochoa: {A1}" in srt


# --- The guide's `transcript:` key and the CLI -----------------------------------------------

TYPED_GUIDE = GUIDE_YAML.replace(
    "    recordings: [felipe-ochoa.wav]", "    transcript: typed/felipe.docx"
)


def typed_study(root: Path) -> Path:
    write_study(root, guide=TYPED_GUIDE)
    (root / "typed").mkdir()
    write_docx(root / "typed" / "felipe.docx", SPANISH)
    return root


def test_guide_accepts_a_transcript_instead_of_recordings(tmp_path: Path) -> None:
    root = typed_study(tmp_path / "study")
    guide = load_guide(root / "guides" / "guide.yaml", root / "audio")
    felipe = guide.interviewee("felipe-ochoa")
    assert (felipe.transcript, felipe.recordings) == ("typed/felipe.docx", ())


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        (
            "    transcript: typed/missing.docx",
            "line 44, interviewees[0].transcript: transcript 'typed/missing.docx' not found in ",
        ),
        (
            "    transcript: typed/felipe.pdf",
            "line 44, interviewees[0].transcript: unsupported transcript format '.pdf' "
            "(use .txt, .docx, .vtt, .srt)",
        ),
        (
            "",
            "line 37, interviewees[0].recordings: list at least one recording file "
            "(or give a typed `transcript`)",
        ),
    ],
)
def test_guide_transcript_errors(tmp_path: Path, replacement: str, message: str) -> None:
    root = typed_study(tmp_path / "study")
    guide_text = TYPED_GUIDE.replace("    transcript: typed/felipe.docx", replacement, 1)
    (root / "guides" / "guide.yaml").write_text(guide_text, encoding="utf-8")
    with pytest.raises(GuideError) as caught:
        load_guide(root / "guides" / "guide.yaml", root / "audio")
    assert caught.value.message.startswith(message)


def test_run_imports_the_typed_transcript_instead_of_transcribing(
    tmp_path: Path, fake_engine: FakeTranscriber
) -> None:
    root = typed_study(tmp_path / "study")
    first = invoke("run", root)
    assert first.exit_code == 0, first.output
    assert len(fake_engine.calls) == 1  # only fabian-bermeo's recording
    assert first.stdout.splitlines()[0] == (
        "felipe-ochoa: imported typed transcript typed/felipe.docx, 6 turns, untimed, language es"
    )
    assert "felipe-ochoa: 3/3 questions located" in first.stdout
    assert [a.answer for a in aligned(root).answers] == list(ES_ANSWERS)
    transcript_json = root / "transcripts" / "felipe-ochoa.json"
    stored = transcript_json.read_bytes()
    assert not (root / "transcripts" / "felipe-ochoa.srt").exists()

    second = invoke("run", root)
    assert second.exit_code == 0, second.output
    assert second.stdout.splitlines()[0] == (
        "felipe-ochoa: typed transcript unchanged typed/felipe.docx, 6 turns, untimed, language es"
    )
    assert "  felipe-ochoa   skipped  transcript unchanged since the last run; 3/3" in (
        second.stdout
    )
    assert transcript_json.read_bytes() == stored

    write_docx(root / "typed" / "felipe.docx", SPANISH[:4])  # the file changed: read again
    third = invoke("transcribe", root, "-i", "felipe-ochoa")
    assert third.exit_code == 0, third.output
    assert third.stdout == (
        "felipe-ochoa: imported typed transcript typed/felipe.docx, 4 turns, untimed, language es\n"
    )
    assert len(fake_engine.calls) == 1


def test_cli_align_with_a_typed_transcript(study_root: Path, tmp_path: Path) -> None:
    source = write_vtt(tmp_path / "felipe.vtt", ENGLISH)
    result = invoke("align", study_root, "--transcript", f"felipe-ochoa={source}")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "felipe-ochoa: 3/3 questions located\n",
        "",
    )
    assert [a.answer for a in aligned(study_root).answers] == list(EN_ANSWERS)


def test_cli_align_transcript_errors(study_root: Path, tmp_path: Path) -> None:
    malformed = invoke("align", study_root, "--transcript", "felipe.docx")
    assert malformed.exit_code == 2
    assert "Invalid value for '--transcript': expected ID=FILE, got 'felipe.docx'" in (
        malformed.stderr
    )

    unknown = invoke("align", study_root, "--transcript", "nobody=x.txt")
    assert (unknown.exit_code, unknown.stderr) == (
        1,
        "Error: no interviewee 'nobody' in the guide (known: fabian-bermeo, felipe-ochoa)\n",
    )

    missing = tmp_path / "missing.txt"
    absent = invoke("align", study_root, "--transcript", f"felipe-ochoa={missing}")
    assert (absent.exit_code, absent.stderr) == (
        1,
        f"Error: transcript file not found ({missing})\n"
        "felipe-ochoa: skipped in alignment\n"
        "Error: alignment failed for 1 of 1 interviewees: felipe-ochoa\n",
    )

    unlabelled = write_txt(tmp_path / "plain.txt", [])
    unlabelled.write_text("Only text.\n", encoding="utf-8")
    bad = invoke("align", study_root, "--transcript", f"felipe-ochoa={unlabelled}")
    assert bad.exit_code == 1
    assert bad.stderr.startswith("Error: line 1: no speaker labels found; ")
    assert f"({unlabelled})\nfelipe-ochoa: skipped in alignment\n" in bad.stderr


def test_align_help_mentions_typed_transcripts() -> None:
    result = invoke("align", "--help")
    assert result.exit_code == 0
    assert "--transcript ID=FILE" in result.stdout
    assert "typed transcript (TXT, DOCX, VTT or SRT" in result.stdout


def test_time_after_the_label_and_a_note_in_brackets(tmp_path: Path) -> None:
    path = tmp_path / "after.txt"
    path.write_text(
        "Interviewer (00:01:02): Which alliances?\n"
        "Felipe Ochoa (Director) (00:01:05): Local ones.\n"
        "Interviewer (1:10): Thanks.\n",
        encoding="utf-8",
    )
    manual = read_manual_transcript(path, Names(interviewee="Felipe Ochoa"))
    assert [(s.start, s.speaker, s.text) for s in manual.segments] == [
        (62.0, "interviewer", " Which alliances?"),
        (65.0, "interviewee", " Local ones."),
        (70.0, "interviewer", " Thanks."),
    ]


def test_align_alone_imports_the_guide_transcript(tmp_path: Path) -> None:
    """No transcribe step is needed for a typed transcript: align reads it itself."""
    root = typed_study(tmp_path / "study")
    result = invoke("align", root, "-i", "felipe-ochoa")
    assert (result.exit_code, result.stdout) == (0, "felipe-ochoa: 3/3 questions located\n")
    assert [a.answer for a in aligned(root).answers] == list(ES_ANSWERS)
