"""A small numpy interpreter for the ONNX operators the EdgeAgent graphs use ("stpm-maps/1",
"pairseg-map/1", "classifier-probs/1", "density-score/1", "memseg-map/1"), plus a constant folder built on it.

There is no onnxruntime for this Python, and onnx 1.12 has no reference evaluator. This file
executes the *exported graph* (not the torch module) following the ONNX operator specifications,
so export_stpm.py and export_density.py can check that the file on disk computes what the torch module computes.
Only the operators and attributes that torch.onnx emits for these models are implemented; anything
else raises NotImplementedError rather than guessing.
"""
from __future__ import annotations

from typing import Callable, Dict, List

import numpy as np
import onnx
from onnx import numpy_helper
from numpy.lib.stride_tricks import sliding_window_view

_OPS: Dict[str, Callable] = {}


def _op(name: str):
    def deco(f):
        _OPS[name] = f
        return f
    return deco


def _attrs(node: onnx.NodeProto) -> dict:
    out = {}
    for a in node.attribute:
        v = onnx.helper.get_attribute_value(a)
        out[a.name] = v.decode() if isinstance(v, bytes) else v
    return out


# --- elementwise / shape ops ------------------------------------------------------------------
_OPS.update({
    "Identity": lambda a, x: [x],
    "Relu": lambda a, x: [np.maximum(x, 0).astype(x.dtype)],
    "Add": lambda a, x, y: [x + y],
    "Sub": lambda a, x, y: [x - y],
    "Mul": lambda a, x, y: [x * y],
    "Div": lambda a, x, y: [(x // y) if np.issubdtype(x.dtype, np.integer) else x / y],
    "Pow": lambda a, x, y: [np.power(x, y).astype(x.dtype)],
    "Sqrt": lambda a, x: [np.sqrt(x)],
    "Shape": lambda a, x: [np.array(x.shape, np.int64)],
    "Transpose": lambda a, x: [np.transpose(x, a.get("perm"))],
    "Concat": lambda a, *xs: [np.concatenate(xs, axis=a["axis"])],
    "Gather": lambda a, x, i: [np.take(x, i, axis=a.get("axis", 0))],
    "Unsqueeze": lambda a, x, axes: [np.expand_dims(x, tuple(int(v) for v in axes))],
    "Expand": lambda a, x, shape: [x * np.ones(tuple(int(s) for s in shape), x.dtype)],
    "GlobalAveragePool": lambda a, x: [x.mean(axis=tuple(range(2, x.ndim)), keepdims=True).astype(x.dtype)],
})


@_op("Constant")
def _constant(a):
    if "value" in a:
        return [numpy_helper.to_array(a["value"])]
    raise NotImplementedError(f"Constant with {list(a)}")


@_op("ConstantOfShape")
def _constant_of_shape(a, shape):
    v = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
    return [np.full(tuple(int(s) for s in shape), v.reshape(-1)[0], v.dtype)]


_ONNX_TO_NP = {1: np.float32, 2: np.uint8, 3: np.int8, 6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64}


@_op("Cast")
def _cast(a, x):
    return [x.astype(_ONNX_TO_NP[a["to"]])]


@_op("Reshape")
def _reshape(a, x, shape):
    shape = [int(s) for s in shape]
    if not a.get("allowzero", 0):
        shape = [x.shape[i] if s == 0 else s for i, s in enumerate(shape)]
    return [x.reshape(shape)]


@_op("Slice")
def _slice(a, x, starts, ends, axes=None, steps=None):
    axes = list(range(len(starts))) if axes is None else [int(v) % x.ndim for v in axes]
    steps = [1] * len(starts) if steps is None else [int(v) for v in steps]
    sl = [slice(None)] * x.ndim
    for st, en, ax, sp in zip(starts, ends, axes, steps):
        n = x.shape[ax]
        st, en = int(st), int(en)
        # ONNX clamps like Python slicing does, except ends below -n with negative steps mean "to the start".
        if sp < 0 and en < -n:
            en = None
        sl[ax] = slice(st, en, sp)
    return [x[tuple(sl)]]


@_op("Clip")
def _clip(a, x, lo=None, hi=None):
    if lo is not None:
        x = np.maximum(x, lo)
    if hi is not None:
        x = np.minimum(x, hi)
    return [x.astype(x.dtype)]


@_op("ReduceL2")
def _reduce_l2(a, x):
    axes = tuple(a["axes"])
    return [np.sqrt(np.sum(x.astype(np.float64) ** 2, axis=axes, keepdims=bool(a.get("keepdims", 1)))).astype(x.dtype)]


@_op("ReduceMean")
def _reduce_mean(a, x, axes=None):
    # opset <= 17: axes is an attribute; opset 18 moved it to an input. Accumulate in float64.
    axes = a.get("axes", None if axes is None else [int(v) for v in axes])
    axes = None if axes is None or len(axes) == 0 else tuple(int(v) for v in axes)
    return [np.mean(x.astype(np.float64), axis=axes, keepdims=bool(a.get("keepdims", 1))).astype(x.dtype)]


@_op("MatMul")
def _matmul(a, x, y):
    return [np.matmul(x.astype(np.float64), y.astype(np.float64)).astype(np.result_type(x, y))]


@_op("ReduceSum")
def _reduce_sum(a, x, axes=None):
    axes = None if axes is None or len(axes) == 0 else tuple(int(v) for v in axes)
    return [np.sum(x, axis=axes, keepdims=bool(a.get("keepdims", 1))).astype(x.dtype)]


@_op("ReduceMax")
def _reduce_max(a, x, axes=None):
    axes = a.get("axes") if axes is None else axes
    axes = None if axes is None or len(axes) == 0 else tuple(int(v) for v in axes)
    return [np.max(x, axis=axes, keepdims=bool(a.get("keepdims", 1)))]


@_op("Sigmoid")
def _sigmoid(a, x):
    # float64 inside, so large |x| neither overflows nor loses the tail
    return [(1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(x.dtype)]


@_op("Softmax")
def _softmax(a, x):
    axis = a.get("axis", -1)   # opset >= 13 semantics: along one axis
    z = x.astype(np.float64)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return [(e / e.sum(axis=axis, keepdims=True)).astype(x.dtype)]


@_op("Flatten")
def _flatten(a, x):
    axis = a.get("axis", 1) % max(x.ndim, 1)
    return [x.reshape(int(np.prod(x.shape[:axis], dtype=np.int64)), -1)]


@_op("Gemm")
def _gemm(a, x, w, c=None):
    x = x.T if a.get("transA", 0) else x
    w = w.T if a.get("transB", 0) else w
    y = a.get("alpha", 1.0) * (x.astype(np.float64) @ w.astype(np.float64))
    if c is not None:
        y = y + a.get("beta", 1.0) * c
    return [y.astype(np.float32)]


@_op("ArgMin")
def _argmin(a, x):
    axis, keep = a.get("axis", 0), bool(a.get("keepdims", 1))
    if a.get("select_last_index", 0):
        raise NotImplementedError("ArgMin select_last_index")
    i = np.argmin(x, axis=axis)  # first index of the minimum, as the spec's default
    return [(np.expand_dims(i, axis) if keep else i).astype(np.int64)]


# --- Pad (opset >= 11: pads as input) ---------------------------------------------------------
@_op("Pad")
def _pad(a, x, pads, value=None):
    mode = a.get("mode", "constant")
    n = x.ndim
    pw = [(int(pads[i]), int(pads[i + n])) for i in range(n)]
    if any(p < 0 for pp in pw for p in pp):
        raise NotImplementedError("negative pads")
    if mode == "reflect":   # ONNX reflect = mirror without repeating the edge = numpy 'reflect'
        return [np.pad(x, pw, mode="reflect")]
    if mode == "edge":
        return [np.pad(x, pw, mode="edge")]
    if mode == "constant":
        return [np.pad(x, pw, mode="constant", constant_values=0 if value is None else value.item())]
    raise NotImplementedError(f"Pad mode {mode}")


# --- Conv / MaxPool (2-D, NCHW) ---------------------------------------------------------------
def _pads2d(a, k):
    if a.get("auto_pad", "NOTSET") not in ("NOTSET", ""):
        raise NotImplementedError("auto_pad")
    p = a.get("pads", [0, 0, 0, 0])
    return p[0], p[1], p[2], p[3]  # top, left, bottom, right


@_op("Conv")
def _conv(a, x, w, b=None):
    if a.get("group", 1) != 1 or any(d != 1 for d in a.get("dilations", [1, 1])):
        raise NotImplementedError("grouped/dilated Conv")
    kh, kw = w.shape[2:]
    sh, sw = a.get("strides", [1, 1])
    t, l, bo, r = _pads2d(a, (kh, kw))
    xp = np.pad(x, ((0, 0), (0, 0), (t, bo), (l, r)))
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]  # N,C,Ho,Wo,kh,kw
    y = np.einsum("nchwij,ocij->nohw", win, w, optimize=True)
    if b is not None:
        y = y + b.reshape(1, -1, 1, 1)
    return [y.astype(np.float32)]


def use_torch_conv() -> None:
    """Runs Conv through torch.nn.functional.conv2d (same maths, float32) instead of numpy.

    For bulk feature extraction over hundreds of pairs (attach_ood.py), where the numpy Conv takes seconds
    per pair; the exporters' graph checks keep the numpy Conv, which follows the specification literally.
    """
    import torch
    import torch.nn.functional as F

    def conv(a, x, w, b=None):
        if any(d != 1 for d in a.get("dilations", [1, 1])):
            raise NotImplementedError("dilated Conv")
        t, l, bo, r = _pads2d(a, w.shape[2:])
        xt = F.pad(torch.from_numpy(np.array(x, np.float32)), (l, r, t, bo))  # a copy: initialisers are read-only
        y = F.conv2d(xt, torch.from_numpy(np.array(w, np.float32)),
                     None if b is None else torch.from_numpy(np.array(b, np.float32)),
                     stride=tuple(a.get("strides", [1, 1])), groups=a.get("group", 1))
        return [y.numpy()]

    _OPS["Conv"] = conv


@_op("MaxPool")
def _maxpool(a, x):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    if a.get("ceil_mode", 0) or any(d != 1 for d in a.get("dilations", [1, 1])):
        raise NotImplementedError("MaxPool ceil_mode/dilations")
    t, l, bo, r = _pads2d(a, (kh, kw))
    xp = np.pad(x, ((0, 0), (0, 0), (t, bo), (l, r)), constant_values=-np.inf)
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    return [win.max(axis=(4, 5)).astype(x.dtype)]


@_op("AveragePool")
def _avgpool(a, x):
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    if a.get("ceil_mode", 0) or any(d != 1 for d in a.get("dilations", [1, 1])):
        raise NotImplementedError("AveragePool ceil_mode/dilations")
    t, l, bo, r = _pads2d(a, (kh, kw))
    pad = ((0, 0), (0, 0), (t, bo), (l, r))
    total = sliding_window_view(np.pad(x, pad), (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw].sum(axis=(4, 5))
    if a.get("count_include_pad", 0):
        return [(total / (kh * kw)).astype(x.dtype)]
    ones = np.pad(np.ones((1, 1) + x.shape[2:], x.dtype), pad)
    count = sliding_window_view(ones, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw].sum(axis=(4, 5))
    return [(total / count).astype(x.dtype)]


# --- Resize (linear, per the ONNX spec) -------------------------------------------------------
def _resize_axis(x: np.ndarray, axis: int, out: int, mode: str) -> np.ndarray:
    n_in = x.shape[axis]
    if out == n_in:
        return x
    scale = out / n_in
    o = np.arange(out, dtype=np.float64)
    if mode == "half_pixel":
        src = (o + 0.5) / scale - 0.5
    elif mode == "pytorch_half_pixel":
        src = (o + 0.5) / scale - 0.5 if out > 1 else np.zeros_like(o)
    elif mode == "align_corners":
        src = o * (n_in - 1) / (out - 1) if out > 1 else np.zeros_like(o)
    elif mode == "asymmetric":
        src = o / scale
    else:
        raise NotImplementedError(f"Resize coordinate_transformation_mode {mode}")
    src = np.clip(src, 0, n_in - 1)
    i0 = np.floor(src).astype(np.int64)
    i1 = np.minimum(i0 + 1, n_in - 1)
    w1 = (src - i0)
    shape = [1] * x.ndim
    shape[axis] = out
    w1 = w1.reshape(shape)
    x64 = x.astype(np.float64)
    return np.take(x64, i0, axis=axis) * (1 - w1) + np.take(x64, i1, axis=axis) * w1


@_op("Resize")
def _resize(a, x, roi=None, scales=None, sizes=None):
    if a.get("mode", "nearest") != "linear":
        raise NotImplementedError(f"Resize mode {a.get('mode')}")
    if sizes is None or len(sizes) == 0:
        raise NotImplementedError("Resize by scales")  # torch emits sizes for this model
    ctm = a.get("coordinate_transformation_mode", "half_pixel")
    y = x
    for ax in range(x.ndim):
        y = _resize_axis(y, ax, int(sizes[ax]), ctm)
    return [y.astype(x.dtype)]


# --- driver -----------------------------------------------------------------------------------
def run(model: onnx.ModelProto, feeds: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    env: Dict[str, np.ndarray] = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env.update(feeds)
    for node in model.graph.node:
        f = _OPS.get(node.op_type)
        if f is None:
            raise NotImplementedError(f"onnx_eval: operator {node.op_type} not implemented")
        ins = [env[n] if n else None for n in node.input]
        # trailing optional inputs may be omitted; empty names are passed as None
        outs = f(_attrs(node), *ins)
        for name, v in zip(node.output, outs):
            env[name] = v
    return {o.name: env[o.name] for o in model.graph.output}


def fold_constants(model: onnx.ModelProto) -> onnx.ModelProto:
    """Evaluates every node whose inputs are all constants and stores the result as an
    initializer; removes Identity nodes on initializers by renaming. Returns a new model."""
    graph = model.graph
    const: Dict[str, np.ndarray] = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    alias: Dict[str, str] = {}
    keep: List[onnx.NodeProto] = []
    outputs = {o.name for o in graph.output}
    for node in graph.node:
        ins = [alias.get(n, n) for n in node.input]
        if node.op_type == "Identity" and ins[0] in const and node.output[0] not in outputs:
            alias[node.output[0]] = ins[0]
            continue
        if node.op_type in _OPS and all((not n) or n in const for n in ins) and \
                not any(o in outputs for o in node.output):
            vals = _OPS[node.op_type](_attrs(node), *[const[n] if n else None for n in ins])
            for o, v in zip(node.output, vals):
                const[o] = np.asarray(v)
            continue
        new = onnx.NodeProto()
        new.CopyFrom(node)
        del new.input[:]
        new.input.extend(ins)
        keep.append(new)
    used = {n for nd in keep for n in nd.input} | outputs
    inits = [numpy_helper.from_array(v, name=k) for k, v in const.items() if k in used]
    g = onnx.helper.make_graph(keep, graph.name, list(graph.input), list(graph.output), inits)
    out = onnx.helper.make_model(g, opset_imports=list(model.opset_import),
                                 producer_name=model.producer_name, ir_version=model.ir_version)
    return out
