#!/usr/bin/env python3
"""Times the fast kernels against ONNX Runtime (and PyTorch) on the shared workloads, alternating them per workload.

On a noisy machine (a virtual machine whose neighbours come and go) running all of one side and then
all of the other compares two different moments. This script runs, for each thread count and workload,
each peer (`ort_peer.py` / `torch_peer.py --only NAME --json`) and then `convarith bench` on that one
workload, for `--rounds` rounds, keeps each side's best median, and prints a Markdown table with the ratios
(the best peer's time ÷ ours) and their geometric mean.

  python3 scripts/compare-kernels.py --bench ../shared/bench [--peers ort torch] [--threads 1 2] [--rounds 2] [--prepared]

With --prepared, ours is also timed with `bench --prepared` (each layer's weights packed once, as the peers pack
theirs when their session or module is made), in columns of its own beside the per-call figures.

Needs a release build (`swift build -c release`), onnx + onnxruntime (pip) and, for `--peers torch`, torch.
"""
import argparse, json, math, os, subprocess, sys, tempfile


PEERS = {"ort": ("ort_peer.py", "ORT"), "torch": ("torch_peer.py", "PyTorch")}


def run_json(command):
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", required=True, help="the shared bench folder (workloads.json, ort_peer.py)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--convarith", default=".build/release/convarith")
    parser.add_argument("--peers", nargs="+", choices=list(PEERS), default=["ort"])
    parser.add_argument("--prepared", action="store_true", help="also time ours with prepared layers")
    args = parser.parse_args()
    with open(os.path.join(args.bench, "workloads.json")) as f:
        workloads = json.load(f)
    best = {}
    with tempfile.TemporaryDirectory() as scratch:
        for threads in args.threads:
            for workload in workloads:
                name = workload["name"]
                single = os.path.join(scratch, name + ".json")
                with open(single, "w") as f:
                    json.dump([workload], f)
                for _ in range(args.rounds):
                    sides = []
                    for peer in args.peers:
                        script = os.path.join(args.bench, PEERS[peer][0])
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
            measured = [row for row in peers if row]
            if not ours or not measured:
                continue
            fastest = min(measured, key=lambda row: row["median_ms"])
            ratio = fastest["median_ms"] / ours["median_ms"]
            ratios.append(ratio)
            cells = " | ".join(f"{row['median_ms']:.3f}" if row else "–" for row in peers)
            tail = ""
            if args.prepared:
                # Pooling has nothing to prepare: its per-call time stands.
                prepared = best.get((threads, workload["name"], "prepared")) or ours
                prepared_ratios.append(fastest["median_ms"] / prepared["median_ms"])
                tail = f" {prepared['median_ms']:.3f} | {prepared_ratios[-1]:.2f} |"
            print(f"| {workload['name']} | {ours['median_ms']:.3f} | {cells} | {ours['gflops']:.1f} | "
                  f"{fastest['gflops']:.1f} | {ratio:.2f} |" + tail)
        if ratios:
            geomean = math.exp(sum(map(math.log, ratios)) / len(ratios))
            print(f"\nGeometric mean of the best peer's time ÷ ours, {threads} thread(s): **{geomean:.2f}**; "
                  f"lowest {min(ratios):.2f}.")
        if prepared_ratios:
            geomean = math.exp(sum(map(math.log, prepared_ratios)) / len(prepared_ratios))
            print(f"With prepared layers: **{geomean:.2f}**; lowest {min(prepared_ratios):.2f}.")


if __name__ == "__main__":
    main()
