"""Build an openai-whisper checkpoint from a CTranslate2 Whisper model (same weights).

openai-whisper can only download its weights, which is impossible offline, but the bundled
CTranslate2 models hold the very same tensors: this reads CTranslate2's model.bin, un-fuses
its attention projections, renames everything to openai-whisper's state-dict names and
saves a `.pt` that `whisper.load_model` (and our openai-whisper engine) can load.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import struct
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ..errors import ModelError
from ..files import atomic_write_bytes

_CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def read_ctranslate2(model_bin: Path) -> dict[str, np.ndarray]:
    """All variables of a CTranslate2 model.bin (format version 5+), aliases resolved."""
    with model_bin.open("rb") as handle:
        version = _unpack(handle, "I")
        if version < 5:
            raise ModelError(f"unsupported CTranslate2 model format {version}", model_bin)
        _string(handle)  # spec name
        _unpack(handle, "I")  # spec revision
        variables = {}
        for _ in range(_unpack(handle, "I")):
            name = _string(handle)
            rank = _unpack(handle, "B")
            shape = struct.unpack(f"<{rank}I", handle.read(4 * rank))
            dtype = _CT2_DTYPES.get(_unpack(handle, "B"))
            data = handle.read(_unpack(handle, "I"))
            if dtype is None:
                raise ModelError(f"unsupported data type in variable {name}", model_bin)
            variables[name] = np.frombuffer(data, dtype=dtype).reshape(shape)
        for _ in range(_unpack(handle, "I")):
            alias, target = _string(handle), _string(handle)
            variables[alias] = variables[target]
    return variables


def _unpack(handle: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize(f"<{fmt}")
    return struct.unpack(f"<{fmt}", handle.read(size))[0]


def _string(handle: BinaryIO) -> str:
    return handle.read(_unpack(handle, "H")).decode("utf-8").rstrip("\0")


def _layer_count(variables: dict[str, np.ndarray], side: str) -> int:
    blocks = {name.split("/")[1] for name in variables if name.startswith(f"{side}/layer_")}
    return sum(block.removeprefix("layer_").isdigit() for block in blocks)


def model_dimensions(variables: dict[str, np.ndarray]) -> dict[str, int]:
    """openai-whisper's ModelDimensions, read off the tensor shapes."""
    encoder_positions = variables["encoder/position_encodings/encodings"]
    decoder_positions = variables["decoder/position_encodings/encodings"]
    return {
        "n_mels": int(variables["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(encoder_positions.shape[0]),
        "n_audio_state": int(encoder_positions.shape[1]),
        "n_audio_head": int(variables["encoder/num_heads"]),
        "n_audio_layer": _layer_count(variables, "encoder"),
        "n_vocab": int(variables["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(decoder_positions.shape[0]),
        "n_text_state": int(decoder_positions.shape[1]),
        "n_text_head": int(variables["decoder/num_heads"]),
        "n_text_layer": _layer_count(variables, "decoder"),
    }


def _linear(source: str, target: str, variables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {
        f"{target}.weight": variables[f"{source}/weight"],
        f"{target}.bias": variables[f"{source}/bias"],
    }


def _norm(source: str, target: str, variables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {
        f"{target}.weight": variables[f"{source}/gamma"],
        f"{target}.bias": variables[f"{source}/beta"],
    }


def _split_projection(
    fused: str, names: tuple[str, ...], variables: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """CTranslate2 fuses q/k/v (or k/v) into one matrix; Whisper's key has no bias."""
    weights = np.split(variables[f"{fused}/weight"], len(names))
    biases = np.split(variables[f"{fused}/bias"], len(names))
    state = {}
    for name, weight, bias in zip(names, weights, biases, strict=True):
        state[f"{name}.weight"] = weight
        if not name.endswith(".key"):
            state[f"{name}.bias"] = bias
    return state


def _block(side: str, index: int, variables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    source, target = f"{side}/layer_{index}", f"{side}.blocks.{index}"
    attn = f"{target}.attn"
    state = {
        **_split_projection(
            f"{source}/self_attention/linear_0",
            (f"{attn}.query", f"{attn}.key", f"{attn}.value"),
            variables,
        ),
        **_linear(f"{source}/self_attention/linear_1", f"{attn}.out", variables),
        **_norm(f"{source}/self_attention/layer_norm", f"{target}.attn_ln", variables),
        **_linear(f"{source}/ffn/linear_0", f"{target}.mlp.0", variables),
        **_linear(f"{source}/ffn/linear_1", f"{target}.mlp.2", variables),
        **_norm(f"{source}/ffn/layer_norm", f"{target}.mlp_ln", variables),
    }
    if side == "decoder":
        cross = f"{target}.cross_attn"
        state |= {
            **_linear(f"{source}/attention/linear_0", f"{cross}.query", variables),
            **_split_projection(
                f"{source}/attention/linear_1", (f"{cross}.key", f"{cross}.value"), variables
            ),
            **_linear(f"{source}/attention/linear_2", f"{cross}.out", variables),
            **_norm(f"{source}/attention/layer_norm", f"{target}.cross_attn_ln", variables),
        }
    return state


def openai_state_dict(variables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rename CTranslate2 Whisper variables to openai-whisper's state-dict keys."""
    dims = model_dimensions(variables)
    state = {
        **_linear("encoder/conv1", "encoder.conv1", variables),
        **_linear("encoder/conv2", "encoder.conv2", variables),
        "encoder.positional_embedding": variables["encoder/position_encodings/encodings"],
        **_norm("encoder/layer_norm", "encoder.ln_post", variables),
        "decoder.token_embedding.weight": variables["decoder/embeddings/weight"],
        "decoder.positional_embedding": variables["decoder/position_encodings/encodings"],
        **_norm("decoder/layer_norm", "decoder.ln", variables),
    }
    for index in range(dims["n_audio_layer"]):
        state |= _block("encoder", index, variables)
    for index in range(dims["n_text_layer"]):
        state |= _block("decoder", index, variables)
    return state


def alignment_heads_dump(config_path: Path, dims: dict[str, int]) -> bytes:
    """The cross-attention heads used for word timestamps, in openai-whisper's encoding."""
    heads = json.loads(config_path.read_text(encoding="utf-8")).get("alignment_heads", [])
    mask = np.zeros((dims["n_text_layer"], dims["n_text_head"]), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


def convert_to_openai_whisper(model_dir: Path, output: Path) -> Path:
    """Write an openai-whisper `.pt` checkpoint with the weights of a CTranslate2 model."""
    try:
        import torch
    except ImportError as exc:
        raise ModelError(
            "converting needs PyTorch: run `pip install torch==2.13.0` "
            "then `pip install -e .[openai]`"
        ) from exc
    variables = read_ctranslate2(model_dir / "model.bin")
    if any(name.endswith("weight_scale") for name in variables):
        raise ModelError(
            "int8-quantised models cannot be converted; use a float16 model", model_dir
        )
    dims = model_dimensions(variables)
    state = {
        name: torch.from_numpy(np.array(value, dtype=np.float32))
        for name, value in openai_state_dict(variables).items()
    }
    checkpoint = {
        "dims": dims,
        "model_state_dict": state,
        "alignment_heads": alignment_heads_dump(model_dir / "config.json", dims),
    }
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    atomic_write_bytes(output, buffer.getvalue())
    return output


def convert_bundled_model(model_name: str, output: Path | None = None) -> Path:
    """Convert a bundled model to where the openai-whisper engine looks for it by default."""
    from .embedded import resolve_model
    from .openai_whisper import converted_checkpoint

    model_dir, _ = resolve_model(model_name)
    return convert_to_openai_whisper(model_dir, output or converted_checkpoint(model_name))
