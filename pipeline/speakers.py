"""Who speaks when: label transcript segments by recording channel or by voice.

Two ways, chosen by the `speakers` transcription setting:

- "channels": a stereo recording made with one microphone per person (a recorder with two
  lavalier mics, a phone-call recorder) holds one speaker per channel: the channels differ
  (low cross-correlation) and each holds speech. Each channel is transcribed on its own
  and labelled "channel-1", "channel-2" (see transcribe.channels); `channel_turns` gives
  the louder channel per 100 ms frame.
- "voice": a mono recording is cut into overlapping 1.6 s windows, each turned into a
  voice embedding by resemblyzer's bundled encoder (extra `[speakers]`), and the windows
  are clustered into two voices: "speaker-1" (who speaks first), "speaker-2".
- "auto" (default): "channels" when every recording is stereo with one speaker per
  channel, else "none" (voice separation is slower and only done when asked for).

Only labels are given here; which label is the interviewer is for alignment to decide (the
one asking the guide questions). A segment spanning a change of speaker is split between
words.
"""

from __future__ import annotations

import importlib.util
import itertools
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .audio import SAMPLE_RATE
from .errors import AudioError, ModelError
from .models import Segment, Word, join_words

SPEAKER_MODES = ("auto", "voice", "channels", "none")
FRAME_SECONDS = 0.1
"""Resolution of the channel decision."""
OWNER_DB = 3.0
"""A channel owns a frame when it is this much louder than the other there."""
ACTIVE_DB = 35.0
"""Frames quieter than the loudest frame of the file by more than this are silence."""
MIN_CHANNEL_SHARE = 0.05
"""Each channel must own this share of the speech frames (else it is a silent track)."""
SIMILAR_MAX = 0.5
"""Channels more alike than this (cross-correlation) hold the same sound, not one speaker each."""
WINDOW_RATE = 4
"""Voice windows per second (1.6 s windows every 0.25 s)."""
WINDOW_FRAMES = 160
"""Mel frames (10 ms) per voice window: the 1.6 s the encoder was trained on."""
SMOOTHING_WINDOWS = 5
"""Median filter over window labels: a one-window flicker is not a change of speaker."""


@dataclass(frozen=True)
class SpeakerTurn:
    start: float
    end: float
    speaker: str


def voice_available() -> bool:
    """Whether the `[speakers]` extra (resemblyzer and its encoder weights) is installed."""
    return importlib.util.find_spec("resemblyzer") is not None


# --- Channels ----------------------------------------------------------------------------------


def decode_channels(path: Path) -> np.ndarray:
    """(channels, samples) float32 at 16 kHz, every channel kept (audio mixes them down)."""
    channels = channel_count(path)
    if channels < 1:
        raise AudioError("cannot read the audio channels", path)
    command = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-vn"]
    command += ["-ar", str(SAMPLE_RATE), "-f", "f32le", "-"]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        raise AudioError("cannot decode audio channels", path)
    samples = np.frombuffer(result.stdout, dtype=np.float32)
    return samples[: len(samples) - len(samples) % channels].reshape(-1, channels).T


def joined_channels(paths: Sequence[Path]) -> np.ndarray:
    """(channels, samples) of several recordings joined in order, like load_recordings."""
    return np.concatenate([decode_channels(path) for path in paths], axis=1)


def frame_levels(channels: np.ndarray) -> np.ndarray:
    """(channels, frames) loudness in dB of each 100 ms frame."""
    size = int(FRAME_SECONDS * SAMPLE_RATE)
    count = channels.shape[1] // size
    frames = channels[:, : count * size].reshape(channels.shape[0], count, size)
    return 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=2) + 1e-12)


def channel_owners(channels: np.ndarray) -> np.ndarray:
    """Per frame, the index of the loudest channel, or -1 (silence, or no channel louder
    than the others by OWNER_DB)."""
    levels = frame_levels(channels)
    if channels.shape[0] < 2 or levels.size == 0:
        return np.full(levels.shape[-1], -1)
    ordered = np.sort(levels, axis=0)
    active = ordered[-1] > levels.max() - ACTIVE_DB
    clear = ordered[-1] - ordered[-2] >= OWNER_DB
    return np.where(active & clear, levels.argmax(axis=0), -1)


def channel_similarity(channels: np.ndarray) -> float:
    """Largest normalised cross-correlation of the first two channels within +-30 ms (over
    the first 10 minutes): near 1 when they carry the same sound (a mono recording saved
    as stereo, a stereo microphone in the room), low when each has its own microphone."""
    left, right = (c[: 600 * SAMPLE_RATE].astype(np.float64) for c in channels[:2])
    left, right = left - left.mean(), right - right.mean()
    scale = np.sqrt(np.sum(left**2) * np.sum(right**2))
    if scale == 0:
        return 1.0
    size = 1 << int(np.ceil(np.log2(2 * len(left))))
    spectrum = np.fft.rfft(left, size) * np.conj(np.fft.rfft(right, size))
    correlation = np.fft.irfft(spectrum, size)
    lag = int(0.03 * SAMPLE_RATE)
    near = np.concatenate([correlation[: lag + 1], correlation[-lag:]])
    return float(np.max(np.abs(near)) / scale)


def one_speaker_per_channel(channels: np.ndarray) -> bool:
    """Each channel its own sound (SIMILAR_MAX) and each holding a share of the speech."""
    if channels.shape[0] != 2:
        return False
    owners = channel_owners(channels)
    owned = owners[owners >= 0]
    if owned.size == 0 or min(np.mean(owned == c) for c in range(2)) < MIN_CHANNEL_SHARE:
        return False
    return channel_similarity(channels) < SIMILAR_MAX


def channel_turns(channels: np.ndarray, offset: float = 0.0) -> list[SpeakerTurn]:
    """Runs of frames owned by one channel, labelled "channel-N"."""
    owners = channel_owners(channels)
    labels = [f"channel-{o + 1}" if o >= 0 else "" for o in owners]
    return _runs(labels, [offset + i * FRAME_SECONDS for i in range(len(labels) + 1)])


# --- Voices ------------------------------------------------------------------------------------


VOLUME_DBFS = -30.0
"""Loudness the encoder was trained at (resemblyzer's audio_norm_target_dBFS)."""


def _encoder_weights() -> Path:
    """resemblyzer's bundled encoder weights, found without importing the package: its
    __init__ imports webrtcvad, whose last release needs the removed pkg_resources."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "voice-based speaker separation needs the [speakers] extra: "
            "pip install torch==2.13.0 && pip install 'interview-pipeline[speakers]'"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"


def embed_windows(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(window start times in s, one 256-d voice embedding per 1.6 s window), computed as
    resemblyzer's VoiceEncoder does: 40-band mel frames every 10 ms, a 3-layer LSTM."""
    import librosa
    import torch

    weights = _encoder_weights()
    lstm = torch.nn.LSTM(40, 256, 3, batch_first=True)
    linear = torch.nn.Linear(256, 256)
    state = torch.load(weights, map_location="cpu")["model_state"]
    lstm.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("lstm.")})
    linear.load_state_dict({k[7:]: v for k, v in state.items() if k.startswith("linear.")})
    loudness = 10 * np.log10(np.mean(samples.astype(np.float64) ** 2) + 1e-12)
    wav = (samples * 10 ** ((VOLUME_DBFS - loudness) / 20)).astype(np.float32)
    step = SAMPLE_RATE // WINDOW_RATE // 160  # mel frames between window starts
    firsts = list(range(0, max(1, len(wav) // 160 - WINDOW_FRAMES + step), step))
    wav = np.pad(wav, (0, max(0, (firsts[-1] + WINDOW_FRAMES) * 160 - len(wav))))
    mel = librosa.feature.melspectrogram(
        y=wav, sr=SAMPLE_RATE, n_fft=400, hop_length=160, n_mels=40
    ).T.astype(np.float32)
    windows = np.stack([mel[f : f + WINDOW_FRAMES] for f in firsts])
    with torch.no_grad():
        _, (hidden, _) = lstm(torch.from_numpy(windows))
        embeddings = torch.relu(linear(hidden[-1])).numpy()
    norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
    return np.array(firsts) * 160 / SAMPLE_RATE, embeddings / np.maximum(norms, 1e-9)


def voice_turns(samples: np.ndarray, speakers: int = 2) -> list[SpeakerTurn]:
    """Voice windows clustered into `speakers` voices; silent windows get no label."""
    if len(samples) < SAMPLE_RATE:
        return []
    starts, embeddings = embed_windows(samples)
    centres = starts + WINDOW_FRAMES * 160 / SAMPLE_RATE / 2
    voiced = _voiced(samples, centres)
    labels = np.full(len(embeddings), -1)
    if voiced.sum() >= speakers:
        labels[voiced] = _cluster(embeddings[voiced], speakers)
    labels = _smooth(labels)
    names = _names_by_first_appearance(labels)
    # Each window speaks for the stretch around its centre, up to its neighbours'.
    duration = len(samples) / SAMPLE_RATE
    edges = np.concatenate([[0.0], (centres[1:] + centres[:-1]) / 2, [duration]])
    return _runs([names.get(int(label), "") for label in labels], list(edges))


def _voiced(samples: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Windows whose middle 0.5 s holds speech energy (within 30 dB of the loudest)."""
    energies = []
    for centre in centres:
        middle = int(centre * SAMPLE_RATE)
        part = samples[max(0, middle - SAMPLE_RATE // 4) : middle + SAMPLE_RATE // 4]
        energies.append(10 * np.log10(np.mean(part.astype(np.float64) ** 2) + 1e-12))
    levels = np.array(energies)
    return levels > levels.max() - 30.0


def _cluster(embeddings: np.ndarray, count: int, restarts: int = 10) -> np.ndarray:
    """Spherical k-means (cosine) with k-means++ starts; the tightest of `restarts` runs."""
    rng = np.random.default_rng(0)
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    best, best_score = np.zeros(len(unit), dtype=int), -np.inf
    for _ in range(restarts):
        centres = [unit[rng.integers(len(unit))]]
        while len(centres) < count:
            distance = 1 - np.max(unit @ np.array(centres).T, axis=1)
            weights = np.clip(distance, 0, None) ** 2
            if weights.sum() == 0:
                weights = np.ones(len(unit))
            centres.append(unit[rng.choice(len(unit), p=weights / weights.sum())])
        matrix = np.array(centres)
        for _ in range(50):
            labels = np.argmax(unit @ matrix.T, axis=1)
            updated = np.array(
                [
                    unit[labels == k].mean(axis=0) if np.any(labels == k) else matrix[k]
                    for k in range(count)
                ]
            )
            updated /= np.linalg.norm(updated, axis=1, keepdims=True)
            if np.allclose(updated, matrix):
                break
            matrix = updated
        score = float(np.sum(np.max(unit @ matrix.T, axis=1)))
        if score > best_score:
            best, best_score = labels, score
    return best


def _smooth(labels: np.ndarray) -> np.ndarray:
    """Majority vote over neighbouring voiced windows."""
    half = SMOOTHING_WINDOWS // 2
    result = labels.copy()
    for index, label in enumerate(labels):
        if label < 0:
            continue
        around = labels[max(0, index - half) : index + half + 1]
        around = around[around >= 0]
        result[index] = np.bincount(around).argmax()
    return result


def _names_by_first_appearance(labels: np.ndarray) -> dict[int, str]:
    order = list(dict.fromkeys(int(label) for label in labels if label >= 0))
    return {label: f"speaker-{number}" for number, label in enumerate(order, start=1)}


# --- Turns and segments -------------------------------------------------------------------------


def _runs(labels: Sequence[str], edges: Sequence[float]) -> list[SpeakerTurn]:
    """Consecutive equal labels as turns; item i spans edges[i]..edges[i + 1]."""
    turns: list[SpeakerTurn] = []
    for index, label in enumerate(labels):
        if not label:
            continue
        start, end = round(edges[index], 3), round(edges[index + 1], 3)
        if turns and turns[-1].speaker == label and abs(turns[-1].end - start) < 1e-6:
            turns[-1] = replace(turns[-1], end=end)
        else:
            turns.append(SpeakerTurn(start, end, label))
    return turns


def speaker_at(turns: Sequence[SpeakerTurn], start: float, end: float) -> str:
    """The speaker who talks longest within [start, end]; "" when nobody does."""
    overlap: dict[str, float] = {}
    for turn in turns:
        shared = min(end, turn.end) - max(start, turn.start)
        if shared > 0:
            overlap[turn.speaker] = overlap.get(turn.speaker, 0.0) + shared
    if not overlap:
        middle = (start + end) / 2
        nearest = min(
            turns, key=lambda t: min(abs(t.start - middle), abs(t.end - middle)), default=None
        )
        return nearest.speaker if nearest else ""
    return max(overlap, key=lambda speaker: overlap[speaker])


def label_segments(
    segments: Sequence[Segment], turns: Sequence[SpeakerTurn]
) -> tuple[Segment, ...]:
    """Each segment labelled with its speaker; one that spans a change of speaker is split
    between words (a segment without word times keeps one label)."""
    result: list[Segment] = []
    for segment in segments:
        if not segment.words:
            result.append(replace(segment, speaker=speaker_at(turns, segment.start, segment.end)))
            continue
        runs: list[tuple[str, list[Word]]] = []
        for word in segment.words:
            speaker = speaker_at(turns, word.start, word.end)
            if runs and runs[-1][0] == speaker:
                runs[-1][1].append(word)
            else:
                runs.append((speaker, [word]))
        if len(runs) == 1:
            result.append(replace(segment, speaker=runs[0][0]))
            continue
        for speaker, words in runs:
            result.append(
                replace(
                    segment,
                    start=words[0].start,
                    end=words[-1].end,
                    text=" " + join_words(words),
                    words=tuple(words),
                    speaker=speaker,
                )
            )
    return tuple(result)


# --- Choosing the way ---------------------------------------------------------------------------


def channel_count(path: Path) -> int:
    """Audio channels of a file; 0 when ffprobe cannot tell (decoding reports why later)."""
    try:
        probe = subprocess.run(
            [
                *("ffprobe", "-v", "error", "-select_streams", "a:0"),
                *("-show_entries", "stream=channels", "-of", "csv=p=0", str(path)),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        return int(probe.stdout.strip().split(",")[0])
    except (OSError, ValueError):
        return 0


def resolve_mode(setting: str, paths: Sequence[Path]) -> str:
    """What `setting` means for these recordings: "channels", "voice" or "none".

    "auto" is "channels" only when every recording is stereo with one speaker per channel,
    else "none": voice separation costs time, needs the extra and assumes two voices, so
    it is only done when asked for."""
    if setting in ("none", "voice"):
        if setting == "voice":
            _encoder_weights()  # a clear error now if the extra is missing
        return setting
    stereo = [channel_count(p) == 2 for p in paths]
    if setting == "channels":
        for path, two in zip(paths, stereo, strict=True):
            if not two:
                raise AudioError(
                    'speakers = "channels" needs stereo recordings, one speaker per channel', path
                )
        return "channels"
    split = all(stereo) and all(one_speaker_per_channel(decode_channels(p)) for p in paths)
    return "channels" if split else "none"


# --- Measuring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeakerScore:
    """Frame-level (10 ms) comparison with reference turns, under the best label mapping."""

    accuracy: float
    """Share of the reference speech given the right speaker."""
    error_rate: float
    """Diarization error rate: (missed + false alarm + confused) / reference speech."""


def score_turns(
    reference: Sequence[SpeakerTurn], hypothesis: Sequence[SpeakerTurn], step: float = 0.01
) -> SpeakerScore:
    """How well `hypothesis` labels match `reference`, for the bench and the tests."""
    end = max([t.end for t in (*reference, *hypothesis)], default=0.0)
    count = int(np.ceil(end / step))

    def frames(turns: Sequence[SpeakerTurn]) -> list[str]:
        labels = [""] * count
        for turn in turns:
            for index in range(int(turn.start / step), min(count, int(turn.end / step))):
                labels[index] = turn.speaker
        return labels

    ref, hyp = frames(reference), frames(hypothesis)
    speech = sum(1 for r in ref if r)
    if speech == 0:
        return SpeakerScore(0.0, 1.0)
    ref_names = sorted({r for r in ref if r})
    hyp_names = sorted({h for h in hyp if h})
    best = 0
    for order in itertools.permutations(hyp_names, min(len(hyp_names), len(ref_names))):
        mapping = dict(zip(order, ref_names, strict=False))
        best = max(best, sum(1 for r, h in zip(ref, hyp, strict=True) if r and mapping.get(h) == r))
    false_alarm = sum(1 for r, h in zip(ref, hyp, strict=True) if h and not r)
    return SpeakerScore(best / speech, (speech - best + false_alarm) / speech)
