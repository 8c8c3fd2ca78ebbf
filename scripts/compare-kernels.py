#!/usr/bin/env python3
"""Times the fast kernels against ONNX Runtime, PyTorch and OpenVINO on a workload file, alternating them per workload.

On a noisy machine (a virtual machine whose neighbours come and go) running all of one side and then
all of the other compares two different moments. This script runs, for each thread count and workload,
each peer (`ort_peer.py` / `torch_peer.py --only NAME --json`) and then `convarith bench` on that one
workload, for `--rounds` rounds, keeps each side's best median, and prints a Markdown table with the ratios
(the best peer's time ÷ ours) and their geometric mean.

  python3 scripts/compare-kernels.py --bench ../shared/bench [--workloads FILE] [--peers ort torch openvino]
                                    [--threads 1 2] [--rounds 2] [--prepared]

--workloads times any file of the shared schema (Benchmarks/Workloads/beyond-shared.json: layers of real
models outside the shared set); the peers' scripts are run from a copy of the bench folder holding that file.
With --prepared, ours is also timed with `bench --prepared` (each layer's weights packed once, as the peers pack
theirs when their session or module is made), in columns of its own beside the per-call figures.
OpenVINO compiles the weights into its model: it is compared with the prepared column only; the per-call
ratio is against ONNX Runtime and PyTorch, which take the weights as inputs.

Needs a release build (`swift build -c release`), onnx + onnxruntime (pip) and, for `--peers torch` or
`openvino`, torch or openvino.
"""
import argparse, json, math, os, shutil, subprocess, sys, tempfile


PEERS = {"ort": ("ort_peer.py", "ORT"), "torch": ("torch_peer.py", "PyTorch"),
         "openvino": ("openvino_peer.py", "OpenVINO")}
# Peers whose weights are constants compiled into the model: compared with our prepared layers only.
PREPARED_ONLY = {"openvino"}


def geomean(values):
    return math.exp(sum(map(math.log, values)) / len(values))


def run_json(command):
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", required=True, help="the shared bench folder (workloads.json, ort_peer.py)")
    parser.add_argument("--workloads", help="a workload file of the shared schema (default: the bench folder's)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--convarith", default=".build/release/convarith")
    parser.add_argument("--peers", nargs="+", choices=list(PEERS), default=["ort"])
    parser.add_argument("--prepared", action="store_true", help="also time ours with prepared layers")
    args = parser.parse_args()
    if "openvino" in args.peers and not args.prepared:
        parser.error("OpenVINO compiles its weights in: compare it with --prepared")
    with open(args.workloads or os.path.join(args.bench, "workloads.json")) as f:
        workloads = json.load(f)
    best = {}
    with tempfile.TemporaryDirectory() as scratch:
        bench = args.bench
        if args.workloads:
            # The peers read workloads.json beside themselves: run them from a copy holding this file.
            bench = os.path.join(scratch, "bench")
            os.mkdir(bench)
            for name in os.listdir(args.bench):
                if name.endswith(".py"):
                    shutil.copy(os.path.join(args.bench, name), bench)
            shutil.copy(args.workloads, os.path.join(bench, "workloads.json"))
        for threads in args.threads:
            for workload in workloads:
                name = workload["name"]
                single = os.path.join(scratch, name + ".json")
                with open(single, "w") as f:
                    json.dump([workload], f)
                for _ in range(args.rounds):
                    sides = []
                    for peer in args.peers:
                        script = os.path.join(bench, PEERS[peer][0])
                        sides.append((peer, run_json([sys.executable, script, "--threads", str(threads), "--only", name,
                                                      "--reps", str(args.repetitions), "--json"])))
                    ours = [args.convarith, "bench", "--workloads", single, "--threads", str(threads), "--repetitions",
                            str(args.repetitions), "--json"]
                    sides.append(("ours", run_json(ours)))
                    if args.prepared:
                        sides.append(("prepared", run_json(ours + ["--prepared"])))
                    for side, rows in sides:
                        for row in rows:
                            key = (threads, name, side)
                            if key not in best or row["median_ms"] < best[key]["median_ms"]:
                                best[key] = row
                print(f"measured {name} on {threads} thread(s)", file=sys.stderr, flush=True)
    for threads in args.threads:
        names = [PEERS[peer][1] for peer in args.peers]
        extra = f" ours prepared {threads}T ms | ratio, prepared |" if args.prepared else ""
        print(f"\n| workload | ours {threads}T ms | " + " | ".join(f"{n} {threads}T ms" for n in names)
              + " | ours GFLOP/s | best peer GFLOP/s | ratio (best peer ÷ ours) |" + extra)
        print("|---|---|" + "---|" * len(names) + "---|---|---|" + ("---|---|" if args.prepared else ""))
        ratios, prepared_ratios = [], []
        for workload in workloads:
            ours = best.get((threads, workload["name"], "ours"))
            peers = [best.get((threads, workload["name"], peer)) for peer in args.peers]
            per_call = [row for peer, row in zip(args.peers, peers) if row and peer not in PREPARED_ONLY]
            if not ours or not any(peers):
                continue
            cells = " | ".join(f"{row['median_ms']:.3f}" if row else "–" for row in peers)
            if per_call:
                fastest = min(per_call, key=lambda row: row["median_ms"])
                ratios.append(fastest["median_ms"] / ours["median_ms"])
                head = f"{fastest['gflops']:.1f} | {ratios[-1]:.2f} |"
            else:
                head = "– | – |"
            tail = ""
            if args.prepared:
                # Pooling has nothing to prepare: its per-call time stands.
                prepared = best.get((threads, workload["name"], "prepared")) or ours
                fastest_any = min((row for row in peers if row), key=lambda row: row["median_ms"])
                prepared_ratios.append(fastest_any["median_ms"] / prepared["median_ms"])
                tail = f" {prepared['median_ms']:.3f} | {prepared_ratios[-1]:.2f} |"
            print(f"| {workload['name']} | {ours['median_ms']:.3f} | {cells} | {ours['gflops']:.1f} | {head}" + tail)
        if ratios:
            print(f"\nGeometric mean of the best per-call peer's time ÷ ours, {threads} thread(s): "
                  f"**{geomean(ratios):.2f}**; lowest {min(ratios):.2f}.")
        if prepared_ratios:
            print(f"Prepared, against the best of every peer: **{geomean(prepared_ratios):.2f}**; "
                  f"lowest {min(prepared_ratios):.2f}.")

if __name__ == "__main__":
    main()
