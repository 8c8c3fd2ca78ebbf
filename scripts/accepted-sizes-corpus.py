#!/usr/bin/env python3
"""Checks `convarith net MODEL --accepted-sizes --json --input NAME=1xCxHxW` against ONNX Runtime by brute
force, on the image models of the real-model corpus and on the committed ONNX test models.

`--accepted-sizes` answers, per spatial axis of the first input, a rule: a size s is accepted when
s >= threshold and s % period is one of the residues, or s is one of the exceptions (every layer has a
shape, every join matches). This script runs the model in ONNX Runtime at many sizes of each spatial axis,
the other axis held at an accepted size (the base size when it is accepted, else the nearest accepted one
below, else above, as convarith itself settles it), and counts where the two agree.

The models:
  - the corpus of scripts/real-model-corpus.py whose input is an image [N, C, H, W] with C 1 or 3
    (detectors, segmenters, OCR, classifiers; no audio, VAD or recurrent-state models), fetched or exported
    into its cache by that script's own functions (see its docstring for what they are);
  - Tests/ConvNetsTests/Networks/onnx/*.onnx with a 4-D [N, C, H, W] input (tf_same's NHWC input and the
    rank-3/5 and audio models are left out).
The base size of a corpus model is its first image run's; of a test model its declared shape (64 for a
symbolic spatial size, 1 for a symbolic batch).

The sizes tried per axis: every size 1..96, then up to 1024 every 7th size and every multiple of 32 with
its two neighbours, and seven sizes past 1024 (1025 … 1088: convarith evaluates up to 1024 and extrapolates
its rule). A model gets a time budget (--budget, 600 s by default, both axes); when the planned runs
exceed it (estimated from the time of a run at the base size, proportional to the pixels), the sizes above
512 are thinned (multiples of 32 +-1, then of 64 +-1, then of 128, then none), and the table says so.
ONNX Runtime runs on the CPU with one thread and default graph optimizations, random inputs; "ORT accepts"
means the run finishes without an exception. The model given to ONNX Runtime has its input's spatial sizes
made symbolic (and its value_info and output shapes dropped), so that a declared fixed size (a test model
declared 1x3x32x32, a static export) does not refuse every other size before a node is run: what is tested
is the network's arithmetic, which --accepted-sizes evaluates too (it replaces the declared input shape;
a plain `--input` of another size is refused with exit 64 for such a model). A model whose input's spatial
sizes are declared fixed is marked "(fixed)" in the table. ONNX Runtime runs in a subprocess per model; a
size that kills it (SIGFPE in a pooling kernel has been seen) is recorded as not accepted, the process is
started again from a journal of the sizes done, and the Notes section lists those sizes.

For every disagreement the script also runs `convarith net MODEL --json --input ...` (no --accepted-sizes)
at one size of each group of disagreeing sizes and reports the first row with an error (or that there is
none), beside ONNX Runtime's error.

Setup: the virtualenv of scripts/real-model-corpus.py (CPU torch, torchvision, onnx, onnxruntime, onnxscript;
its docstring gives the commands), and a release build of convarith (swift build -c release --product convarith).

Usage:
  python scripts/accepted-sizes-corpus.py [--convarith BIN] [--models DIR] [--only REGEX] [--budget S]
                                          [--json OUT] [--fetch] [--rerun]
  python scripts/accepted-sizes-corpus.py --list
--fetch makes the corpus models that the cache does not have yet (PyPI downloads, torchvision exports: slow).
Each model's result is kept in DIR/accepted-sizes/ and reused unless --rerun (so an interrupted run goes on
where it stopped). Progress goes to stderr; the markdown table and the disagreements to stdout.
"""
import argparse
import collections
import copy
import glob
import importlib.util
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, ".."))
TEST_MODELS = os.path.join(REPO, "Tests", "ConvNetsTests", "Networks", "onnx")


def load_corpus_module():
    spec = importlib.util.spec_from_file_location("real_model_corpus", os.path.join(HERE, "real-model-corpus.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rmc = load_corpus_module()
log = rmc.log
first_line = rmc.first_line


# ---------------------------------------------------------------------------------------------------------
# The models: {id: dict(path, name, shape, source, make)}

def image_shape(spec):
    """The [N, C, H, W] of a run that gives one image input (C 1 or 3), else None."""
    shapes = spec["shapes"]
    if len(shapes) != 1 or spec["values"]:
        return None
    (name, shape), = shapes.items()
    if len(shape) == 4 and shape[1] in (1, 3):
        return name, [1] + list(shape[1:])
    return None


def corpus_models(cache):
    out = collections.OrderedDict()
    entries = rmc.corpus()
    for model_id, entry in entries.items():
        found = [image_shape(spec) for spec in entry["runs"]]
        found = [f for f in found if f]
        if not found:
            continue
        name, shape = found[0]
        out[model_id] = dict(path=os.path.join(cache, entry["path"]), name=name, shape=shape,
                             source=rmc.source_text(entry), entry=entry)
    return out


def test_models():
    import onnx
    out = collections.OrderedDict()
    for path in sorted(glob.glob(os.path.join(TEST_MODELS, "*.onnx"))):
        stem = os.path.splitext(os.path.basename(path))[0]
        model = onnx.load(path, load_external_data=False)
        inputs = rmc.graph_inputs(model)
        if not inputs:
            continue
        dims = rmc.declared_dims(inputs[0])
        if not dims or len(dims) != 4 or stem == "tf_same":  # tf_same's input is NHWC
            continue
        channels = dims[1] if isinstance(dims[1], int) and dims[1] > 0 else 3
        batch = dims[0] if isinstance(dims[0], int) and dims[0] > 0 else 1
        shape = [batch, channels] + [d if isinstance(d, int) and d > 0 else 64 for d in dims[2:]]
        out[f"test/{stem}"] = dict(path=path, name=inputs[0].name, shape=shape, source="committed test model", entry=None)
    return out


# ---------------------------------------------------------------------------------------------------------
# convarith

def spell(shape):
    return "x".join(map(str, shape))


def describe(answer, evaluated_up_to=1024):
    """AcceptedSizes.description: the JSON's "rule", else made from its fields as the Swift code does."""
    if answer.get("rule"):
        return answer["rule"]
    evaluated_up_to = answer.get("evaluated_up_to", evaluated_up_to)
    residues, exceptions, period, threshold = answer["residues"], answer["exceptions"], answer["period"], answer["threshold"]
    if not residues and not exceptions:
        return f"no size up to {evaluated_up_to} is accepted"
    parts = []
    if residues:
        rule = "every size" if period == 1 else f"sizes ≡ {', '.join(map(str, residues))} (mod {period})"
        first = next((s for s in range(threshold, threshold + period) if s % period in residues), threshold)
        parts.append(f"{rule} from {first}")
    if exceptions:
        listed = ", ".join(map(str, exceptions[:8])) + (", …" if len(exceptions) > 8 else "")
        parts.append(("only " if not residues else "and below it ") + listed)
    return "; ".join(parts)


def predicts(answer, size):
    if size < 1:
        return False
    if size >= answer["threshold"]:
        return size % answer["period"] in answer["residues"]
    return size in answer["exceptions"]


def run_accepted_sizes(binary, path, name, shape, timeout):
    command = [binary, "net", path, "--accepted-sizes", "--json", "--input", f"{name}={spell(shape)}"]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return dict(error=f"timed out after {timeout} s", seconds=timeout)
    seconds = time.perf_counter() - started
    try:
        report = json.loads(done.stdout)
        answers = report["accepted_sizes"]
    except (ValueError, KeyError, TypeError):
        text = first_line(done.stderr or done.stdout) or "no output"
        if done.returncode < 0:
            text = f"killed by signal {-done.returncode}; {text}"
        return dict(error=f"exit {done.returncode}: {text}", seconds=seconds)
    return dict(answers=answers, seconds=seconds, exit=done.returncode)


def first_failing_row(binary, path, name, shape, timeout=120):
    """convarith's table at one size: the first row with an error, as text."""
    command = [binary, "net", path, "--json", "--input", f"{name}={spell(shape)}"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout} s"
    try:
        layers = json.loads(done.stdout)["layers"]
    except (ValueError, KeyError, TypeError):
        return f"exit {done.returncode}, no JSON: {first_line(done.stderr or done.stdout)}"
    for layer in layers:
        if layer.get("error"):
            return f"exit {done.returncode}; {layer.get('name')} ({layer.get('op')}): {first_line(layer['error'], 300)}"
    unknown = next((layer for layer in layers if layer.get("output_shape") is None), None)
    extra = f"; first unknown output {unknown.get('name')} ({unknown.get('op')}): {first_line(unknown.get('note') or '', 200)}" if unknown else ""
    return f"exit {done.returncode}; no row with an error{extra}"


# ---------------------------------------------------------------------------------------------------------
# ONNX Runtime (in a subprocess per model: --ort-one)

def relaxed(model, name, shapes_too=True):
    """The model with the input's spatial sizes symbolic, and (shapes_too) value_info and output shapes dropped."""
    m = copy.deepcopy(model)
    fixed = False
    for value in m.graph.input:
        if value.name != name:
            continue
        for index, dim in enumerate(value.type.tensor_type.shape.dim):
            if index >= 2:
                fixed |= dim.HasField("dim_value") and dim.dim_value > 0
                dim.Clear()
                dim.dim_param = f"spatial_{index}"
    if shapes_too:
        del m.graph.value_info[:]
        for output in m.graph.output:
            if output.type.HasField("tensor_type"):  # an output may have no type at all
                output.type.tensor_type.ClearField("shape")
    return m, fixed


# A few sizes past 1024, the largest size convarith evaluates: its rule is a claim about them too.
BEYOND = [1025, 1026, 1031, 1040, 1056, 1057, 1088]


def sizes_to_try(level):
    """Level 0: 1..96, every 7th size and every multiple of 32 +-1 up to 1024, and BEYOND; higher levels thin
    the sizes above 512 (BEYOND stays)."""
    sizes = set(range(1, 97)) | set(BEYOND)
    for s in range(97, 1025):
        around32 = any((s + d) % 32 == 0 for d in (-1, 0, 1))
        around64 = any((s + d) % 64 == 0 for d in (-1, 0, 1))
        if s <= 512:
            keep = s % 7 == 0 or around32
        else:
            keep = [s % 7 == 0 or around32, around32, around64, s % 128 == 0, False][min(level, 4)]
        if keep:
            sizes.add(s)
    return sorted(sizes)


def read_journal(path):
    if not path or not os.path.exists(path):
        return []
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_journal(path, record):
    if path:
        with open(path, "a") as handle:
            handle.write(json.dumps(record) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def ort_one(args):
    """Runs one model's brute force; writes its JSON to args.out."""
    import onnx
    import onnxruntime as ort
    job = json.load(open(args.ort_one))
    journal = job.get("journal")
    journaled = {(r["axis"], r["size"]): r["error"] for r in read_journal(journal) if not r.get("pending")}
    model = onnx.load(job["path"])
    name, base, plan = job["name"], job["shape"], job["plan"]
    m, fixed = relaxed(model, name)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 4  # the errors are recorded; ORT would also log each one
    result = dict(fixed=fixed, axes={}, notes=[])
    try:
        session = ort.InferenceSession(m.SerializeToString(), options, providers=["CPUExecutionProvider"])
    except Exception as failure:
        result["session_error"] = first_line(str(failure), 300)
        json.dump(result, open(args.out, "w"))
        return 0
    inputs = rmc.graph_inputs(model)

    def attempt(shape, seed):
        spec = {"shapes": {name: shape}, "values": {}}
        try:
            shapes = rmc.resolve_inputs(m, spec)
        except ValueError as failure:
            return False, f"run spec: {failure}", 0.0
        started = time.perf_counter()
        try:
            session.run(None, rmc.feeds(model, shapes, {}, seed))
            return True, None, time.perf_counter() - started
        except Exception as failure:
            return False, first_line(str(failure), 400), time.perf_counter() - started

    # the time of one run at the other axes' settled sizes, for the plan
    probe_shape = list(base)
    for axis, other in plan["settled"].items():
        probe_shape[int(axis)] = other
    attempt(probe_shape, 0)  # warm-up
    ok, error, seconds = attempt(probe_shape, 1)
    pixels = probe_shape[2] * probe_shape[3]
    per_pixel = seconds / max(pixels, 1)
    result["probe"] = dict(shape=probe_shape, ok=ok, seconds=round(seconds, 4), error=error)
    budget_axis = job["budget"] / 2
    for axis in (2, 3):
        other_axis = 5 - axis
        other = plan["settled"][str(other_axis)]
        level = 0
        while level < 5:
            sizes = sizes_to_try(level)
            estimate = sum(0.002 + per_pixel * s * other for s in sizes)
            if estimate <= budget_axis:
                break
            level += 1
        sizes = sizes_to_try(level)
        if level:
            result["notes"].append(f"axis {axis}: sizes above 512 thinned to level {level} (estimated {estimate:.0f} s at level {level - 1 if level else 0})")
        started = time.time()
        runs = {}
        stopped = None
        for s in sizes:
            shape = list(base)
            shape[other_axis] = other
            shape[axis] = s
            if (axis, s) in journaled:  # a run before a crash (or the crash itself)
                runs[s] = journaled[(axis, s)]
                continue
            write_journal(journal, dict(axis=axis, size=s, pending=True))
            ok, error, _ = attempt(shape, s)
            runs[s] = error  # None: accepted
            write_journal(journal, dict(axis=axis, size=s, error=error))
            if time.time() - started > 1.5 * budget_axis:
                stopped = s
                break
        if stopped is not None:
            result["notes"].append(f"axis {axis}: stopped after {stopped} (over 1.5x its budget)")
        result["axes"][str(axis)] = dict(other=other, level=level, runs={str(k): v for k, v in runs.items()},
                                         seconds=round(time.time() - started, 1))
        log(f"    axis {axis}: {len(runs)} sizes in {time.time() - started:.0f} s (other axis {other}, level {level})")
    json.dump(result, open(args.out, "w"))
    return 0


# ---------------------------------------------------------------------------------------------------------
# One model, end to end

def settled_sizes(answers, base):
    """The size each axis is held at while the other varies: the base when accepted, else the nearest."""
    settled = {}
    for answer in answers:
        axis = answer["axis"]
        if predicts(answer, base[axis]):
            settled[str(axis)] = base[axis]
        else:
            settled[str(axis)] = answer["nearest_below"] or answer["nearest_above"] or base[axis]
    return settled


def compress(sizes):
    """[1, 2, 3, 7] -> '1-3, 7'."""
    out, sizes = [], sorted(sizes)
    i = 0
    while i < len(sizes):
        j = i
        while j + 1 < len(sizes) and sizes[j + 1] == sizes[j] + 1:
            j += 1
        out.append(str(sizes[i]) if i == j else f"{sizes[i]}-{sizes[j]}")
        i = j + 1
    return ", ".join(out)


def normalized(error):
    """An ORT error with its numbers blanked, for grouping."""
    return re.sub(r"\d+", "#", error or "")[:160]


def table_model(info, workdir):
    """The model file for convarith's table at another size: a copy with symbolic spatial input sizes when
    the model declares them fixed."""
    import onnx
    model = onnx.load(info["path"])
    m, fixed = relaxed(model, info["name"], shapes_too=False)
    if not fixed:
        return info["path"]
    path = os.path.join(workdir, "symbolic-input.onnx")
    onnx.save(m, path)
    return path


def check_model(model_id, info, args, workdir):
    log(f"[{model_id}]")
    result = dict(model=model_id, source=info["source"], input=f"{info['name']}={spell(info['shape'])}")
    tool = run_accepted_sizes(args.binary, info["path"], info["name"], info["shape"], args.tool_timeout)
    result["convarith_seconds"] = round(tool["seconds"], 3)
    log(f"  convarith --accepted-sizes: {tool['seconds']:.2f} s" + (f", {tool['error']}" if "error" in tool else ""))
    if "error" in tool:
        result["convarith_error"] = tool["error"]
        return result
    answers = tool["answers"]
    result["answers"] = answers
    if sorted(a["axis"] for a in answers) != [2, 3]:
        result["convarith_error"] = f"answers for axes {[a['axis'] for a in answers]}, not [2, 3]"
        return result
    plan = dict(settled=settled_sizes(answers, info["shape"]))
    job_path = os.path.join(workdir, "job.json")
    out_path = os.path.join(workdir, "ort.json")
    if os.path.exists(out_path):
        os.remove(out_path)
    # ONNX Runtime in a subprocess: a size that crashes it (a signal) is recorded from the journal and the
    # process started again, the sizes done kept
    journal = os.path.join(workdir, "journal.jsonl")
    if os.path.exists(journal):
        os.remove(journal)
    json.dump(dict(path=info["path"], name=info["name"], shape=info["shape"], plan=plan, budget=args.budget,
                   journal=journal), open(job_path, "w"))
    command = [sys.executable, os.path.abspath(__file__), "--ort-one", job_path, "--out", out_path]
    started = time.time()
    crashes = []
    while True:
        try:
            done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=args.budget * 2 + 120)
        except subprocess.TimeoutExpired:
            result["ort_error"] = f"ONNX Runtime's process timed out after {args.budget * 2 + 120} s"
            return result
        sys.stderr.write(done.stderr)
        if done.returncode == 0 and os.path.exists(out_path):
            break
        records = read_journal(journal)
        if records and records[-1].get("pending") and len(crashes) < 40:
            last = records[-1]
            how = f"signal {-done.returncode}" if done.returncode < 0 else f"exit {done.returncode}"
            error = f"ONNX Runtime's process crashed ({how})"
            write_journal(journal, dict(axis=last["axis"], size=last["size"], error=error))
            crashes.append((last["axis"], how, last["size"]))
            log(f"    ORT crashed at axis {last['axis']} size {last['size']} ({how}); going on")
            continue
        tail = (done.stderr or "").strip().splitlines()
        result["ort_error"] = f"ONNX Runtime's process ended with {done.returncode}: {first_line(tail[-1] if tail else '')}"
        return result
    ort_result = json.load(open(out_path))
    result["ort_seconds"] = round(time.time() - started, 1)
    result["fixed"] = ort_result.get("fixed")
    crashed = collections.OrderedDict()
    for axis, how, size in crashes:
        crashed.setdefault((axis, how), []).append(size)
    result["notes"] = ort_result.get("notes", []) + [f"ONNX Runtime's process crashed ({how}) at axis {axis}, sizes "
                                                     f"{compress(sizes)} (counted as not accepted)" for (axis, how), sizes in crashed.items()]
    result["probe"] = ort_result.get("probe")
    if "session_error" in ort_result:
        result["ort_error"] = f"session: {ort_result['session_error']}"
        return result
    result["axes"] = []
    by_axis = {a["axis"]: a for a in answers}
    for axis in (2, 3):
        answer = by_axis[axis]
        data = ort_result["axes"][str(axis)]
        other_axis = 5 - axis
        agree, groups = 0, collections.OrderedDict()
        for size_text, error in data["runs"].items():
            size = int(size_text)
            ours, theirs = predicts(answer, size), error is None
            if ours == theirs:
                agree += 1
                continue
            key = (ours, normalized(error))
            groups.setdefault(key, dict(predicted=ours, ort_error=error, sizes=[]))["sizes"].append(size)
        for group in groups.values():
            # convarith's table at the smallest size of the group (of the model with the input's spatial sizes
            # made symbolic when they are declared fixed: --input does not override a fixed size)
            shape = list(info["shape"])
            shape[other_axis] = data["other"]
            shape[axis] = group["sizes"][0]
            group["at"] = spell(shape)
            group["convarith_row"] = first_failing_row(args.binary, table_model(info, workdir), info["name"], shape)
        disagree = sum(len(g["sizes"]) for g in groups.values())
        result["axes"].append(dict(axis=axis, rule=describe(answer), tried=len(data["runs"]), agree=agree,
                                   disagree=disagree, groups=list(groups.values()), other=data["other"],
                                   level=data["level"], ort_seconds=data["seconds"]))
        log(f"  axis {axis} ({describe(answer)}): {agree}/{len(data['runs'])} agree" +
            "".join(f"; convarith {'accepts' if g['predicted'] else 'refuses'} {compress(g['sizes'])}, ORT "
                    f"{'refuses: ' + first_line(g['ort_error'], 120) if g['ort_error'] else 'accepts'}" for g in groups.values()))
    return result


# ---------------------------------------------------------------------------------------------------------
# Output

def print_report(results):
    print("| model | input | axis | convarith's rule | sizes tried | agree | disagree | convarith s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        model = r["model"] + (" (fixed)" if r.get("fixed") else "")
        seconds = f"{r['convarith_seconds']:.2f}" if r.get("convarith_seconds") is not None else "-"
        if r.get("convarith_error") or r.get("ort_error") or not r.get("axes"):
            problem = r.get("convarith_error") and f"convarith: {r['convarith_error']}" or f"ORT: {r.get('ort_error')}"
            print(f"| {model} | {r['input']} | - | {problem[:200].replace('|', '/')} | - | - | - | {seconds} |")
            continue
        for a in r["axes"]:
            listed = "; ".join(compress(g["sizes"]) for g in a["groups"])
            disagree = f"{a['disagree']}" + (f": {listed[:120]}" if listed else "")
            tried = f"{a['tried']}" + (" (thinned >512)" if a["level"] else "")
            print(f"| {model} | {r['input']} | {a['axis']} (other {a['other']}) | {a['rule']} | {tried} | {a['agree']} | "
                  f"{disagree} | {seconds} |")
    print()
    print("## Disagreements")
    any_found = False
    for r in results:
        for a in r.get("axes") or []:
            for g in a["groups"]:
                any_found = True
                listed = compress(g["sizes"])
                listed = listed if len(listed) <= 160 else listed[:160].rsplit(",", 1)[0] + ", …"
                print(f"- {r['model']} axis {a['axis']} (other axis {a['other']}): {len(g['sizes'])} sizes ({listed}); "
                      f"convarith {'accepts' if g['predicted'] else 'refuses'}, ORT "
                      f"{'refuses: ' + first_line(g['ort_error'], 300) if g['ort_error'] else 'accepts'}. "
                      f"convarith's table at {g['at']}: {g['convarith_row']}")
    if not any_found:
        print("none")
    notes = [(r["model"], n) for r in results for n in r.get("notes") or []]
    if notes:
        print()
        print("## Notes")
        for model, note in notes:
            print(f"- {model}: {note}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default=rmc.DEFAULT_CACHE, help="the corpus cache of real-model-corpus.py")
    parser.add_argument("--convarith", default=os.path.join(REPO, ".build", "release", "convarith"), help="the convarith binary")
    parser.add_argument("--only", help="a regular expression: only the models whose id it matches")
    parser.add_argument("--budget", type=float, default=600, help="seconds of ONNX Runtime runs per model, both axes (default 600)")
    parser.add_argument("--tool-timeout", type=int, default=900, help="seconds for convarith --accepted-sizes (default 900)")
    parser.add_argument("--fetch", action="store_true", help="make the corpus models the cache does not have (slow)")
    parser.add_argument("--rerun", action="store_true", help="check again the models that have a stored result")
    parser.add_argument("--json", dest="json_out", help="write every result here")
    parser.add_argument("--list", action="store_true", help="list the models and stop")
    parser.add_argument("--ort-one", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ort_one:
        return ort_one(args)
    cache = os.path.abspath(os.path.expanduser(args.models))
    if cache == REPO or cache.startswith(REPO + os.sep):
        parser.error("keep the models outside the repository")
    models = collections.OrderedDict()
    models.update(test_models())
    models.update(corpus_models(cache))
    models = collections.OrderedDict((k, v) for k, v in models.items() if not args.only or re.search(args.only, k))
    if args.list:
        for model_id, info in models.items():
            state = "present" if os.path.exists(info["path"]) else "not made"
            print(f"{model_id:55s} {info['name']}={spell(info['shape']):16s} {state}")
        return 0
    manifest = rmc.load_manifest(cache) if os.path.isdir(cache) else {}
    entries = rmc.corpus()
    if args.fetch:
        os.makedirs(cache, exist_ok=True)
        for model_id, info in models.items():
            if info["entry"] is not None and not os.path.exists(info["path"]):
                rmc.make_model(cache, model_id, info["entry"], entries, manifest, False, 1200)
    args.binary = os.path.abspath(args.convarith)
    if not os.access(args.binary, os.X_OK):
        parser.error(f"no convarith binary at {args.binary}")
    store = os.path.join(cache, "accepted-sizes")
    os.makedirs(store, exist_ok=True)
    results = []
    for model_id, info in models.items():
        if not os.path.exists(info["path"]):
            log(f"[{model_id}] not in the cache (--fetch makes it); skipped")
            continue
        if info["entry"] is not None and rmc.sidecar(info["path"]).get("static"):
            info["source"] += " (static export)"
        saved = os.path.join(store, model_id.replace("/", "__") + ".json")
        if os.path.exists(saved) and not args.rerun:
            results.append(json.load(open(saved)))
            log(f"[{model_id}] stored result")
            continue
        workdir = os.path.join(store, "work", model_id.replace("/", "__"))
        os.makedirs(workdir, exist_ok=True)
        result = check_model(model_id, info, args, workdir)
        with open(saved, "w") as handle:
            json.dump(result, handle, indent=1)
        results.append(result)
    print_report(results)
    if args.json_out:
        with open(args.json_out, "w") as handle:
            json.dump(results, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
