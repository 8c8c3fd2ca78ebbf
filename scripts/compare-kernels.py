#!/usr/bin/env python3
"""Times the fast kernels against ONNX Runtime on the shared workloads, alternating the two per workload.

On a noisy machine (a virtual machine whose neighbours come and go) running all of one side and then
all of the other compares two different moments. This script runs, for each thread count and workload,
ONNX Runtime (`ort_peer.py --only NAME --json`) and then `convarith bench` on that one workload, for
`--rounds` rounds, keeps each side's best median, and prints a Markdown table with the ratios
(ONNX Runtime's time ÷ ours) and their geometric mean.

  python3 scripts/compare-kernels.py --bench ../shared/bench [--threads 1 2] [--rounds 2] [--convarith PATH]

Needs a release build (`swift build -c release`) and onnx + onnxruntime (pip).
"""
import argparse, json, math, os, subprocess, sys, tempfile


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
                    ort = run_json([sys.executable, os.path.join(args.bench, "ort_peer.py"), "--threads", str(threads),
                                    "--only", name, "--reps", str(args.repetitions), "--json"])
                    ours = run_json([args.convarith, "bench", "--workloads", single, "--threads", str(threads),
                                     "--repetitions", str(args.repetitions), "--json"])
                    for side, rows in (("ort", ort), ("ours", ours)):
                        for row in rows:
                            key = (threads, name, side)
                            if key not in best or row["median_ms"] < best[key]["median_ms"]:
                                best[key] = row
                print(f"measured {name} on {threads} thread(s)", file=sys.stderr, flush=True)
    for threads in args.threads:
        print(f"\n| workload | ours {threads}T ms | ORT {threads}T ms | ours GFLOP/s | ORT GFLOP/s | ratio (ORT ÷ ours) |")
        print("|---|---|---|---|---|---|")
        ratios = []
        for workload in workloads:
            ours, ort = best.get((threads, workload["name"], "ours")), best.get((threads, workload["name"], "ort"))
            if not ours or not ort:
                continue
            ratio = ort["median_ms"] / ours["median_ms"]
            ratios.append(ratio)
            print(f"| {workload['name']} | {ours['median_ms']:.3f} | {ort['median_ms']:.3f} | {ours['gflops']:.1f} | {ort['gflops']:.1f} | {ratio:.2f} |")
        if ratios:
            geomean = math.exp(sum(map(math.log, ratios)) / len(ratios))
            print(f"\nGeometric mean of ORT's time ÷ ours, {threads} thread(s): **{geomean:.2f}**; lowest {min(ratios):.2f}.")


if __name__ == "__main__":
    main()
