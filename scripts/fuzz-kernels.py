#!/usr/bin/env python3
"""Runs random layers through `convarith eval` twice — the fast kernels and the reference loops — and reports
any layer on which they disagree (a refusal on one side only, another output shape, or values apart by more
than 1e-4 of the output's largest magnitude; NaN and infinities must match). Layers: convolutions (groups),
pooling (max and average, ceil mode, count_include_pad) and transposed convolutions (output padding); ranks
1–3; strides, dilations, explicit per-side paddings (crops included), named paddings; every convention.
The arithmetic refuses what a convention refuses, so only the layers it accepts are run.

  python3 scripts/fuzz-kernels.py [--seed S] [--layers N] [--large] [--convarith .build/release/convarith]

`--large` draws inputs up to 40 wide and up to 40 output channels (the fast path's GEMM layouts, its
few-positions and phase paths) instead of 12 and 20. Exit status 1 when some layer disagrees.
"""
import argparse, json, math, random, subprocess, sys

CONVENTIONS = ['pytorch', 'onnx', 'tensorflow', 'jax', 'mlx']


def random_layer(rng, large):
    op = rng.choice(['conv', 'conv', 'pool', 'transposed'])
    rank = rng.choice([1, 2, 2, 3])
    width = (40 if rank < 3 else 10) if large else (12 if rank < 3 else 6)
    layer = {'op': op, 'convention': rng.choice(CONVENTIONS), 'batch': rng.randint(1, 2),
             'input': [rng.randint(1, width) for _ in range(rank)],
             'kernel': [rng.randint(1, 4) for _ in range(rank)],
             'stride': [rng.randint(1, 3) for _ in range(rank)]}
    if rng.random() < 0.3:
        layer['dilation'] = [rng.randint(1, 2) for _ in range(rank)]
    draw = rng.random()
    if draw < 0.3:
        layer['padding'] = [[rng.randint(-2, 3), rng.randint(-2, 3)] for _ in range(rank)]
    elif draw < 0.5:
        layer['padding'] = rng.choice(['same', 'valid', 'same_lower', 'half', 'full'])
    else:
        layer['padding'] = [rng.randint(0, 2) for _ in range(rank)]
    if op == 'pool':
        layer['pool_mode'] = rng.choice(['max', 'avg'])
        if rng.random() < 0.3:
            layer['ceil_mode'] = True
        if rng.random() < 0.5:
            layer['count_include_pad'] = rng.random() < 0.5
        layer['channels'] = rng.randint(1, 5)
    else:
        groups = rng.choice([1, 1, 2, 3])
        layer['groups'] = groups
        layer['channels'] = groups * rng.randint(1, 24 if large else 4)
        layer['out_channels'] = groups * rng.randint(1, 40 if large else 20)
        if op == 'transposed' and rng.random() < 0.4:
            layer['output_padding'] = [rng.randint(0, 2) for _ in range(rank)]
    return layer


def random_tensor(rng, shape):
    count = math.prod(shape)
    data = [round(rng.uniform(-1, 1), 3) for _ in range(count)]
    if count and rng.random() < 0.2:
        data[rng.randrange(count)] = rng.choice([0.0, -0.0])
    return {'shape': shape, 'data': data}


def eval_lines(binary, requests):
    text = '\n'.join(json.dumps(r) for r in requests) + '\n'
    result = subprocess.run([binary, 'eval', '--threads', '1'], input=text, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f'convarith eval exited with {result.returncode}: {result.stderr[-2000:]}')
    return [json.loads(line) for line in result.stdout.splitlines()]


def difference(fast, reference):
    """The largest difference relative to the reference's largest finite magnitude (inf if non-finite values differ)."""
    finite = [abs(v) for v in reference if isinstance(v, float) and math.isfinite(v)]
    scale, worst = max(finite + [1.0]), 0.0
    for p, q in zip(fast, reference):
        if isinstance(p, (int, float)) and isinstance(q, (int, float)) and math.isfinite(p) and math.isfinite(q):
            worst = max(worst, abs(p - q))
        elif str(p) != str(q):
            return math.inf
    return worst / scale


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--layers', type=int, default=500)
    parser.add_argument('--large', action='store_true')
    parser.add_argument('--convarith', default='.build/release/convarith')
    args = parser.parse_args()
    rng = random.Random(args.seed)
    layers = [random_layer(rng, args.large) for _ in range(args.layers)]
    shapes = eval_lines(args.convarith, [dict(layer, id=i) for i, layer in enumerate(layers)])
    accepted = [layers[a['id']] for a in shapes if 'error' not in a]
    requests = []
    for i, layer in enumerate(accepted):
        request = dict(layer, x=random_tensor(rng, [layer['batch'], layer['channels']] + layer['input']))
        if layer['op'] != 'pool':
            groups, channels, outputs = layer['groups'], layer['channels'], layer['out_channels']
            leading = [outputs, channels // groups] if layer['op'] == 'conv' else [channels, outputs // groups]
            request['w'] = random_tensor(rng, leading + layer['kernel'])
            if rng.random() < 0.5:
                request['b'] = random_tensor(rng, [outputs])
        requests += [dict(request, impl='fast', id=[i, 'fast']), dict(request, impl='reference', id=[i, 'reference'])]
    answers = {tuple(a['id']): a for a in eval_lines(args.convarith, requests)}
    disagreements = 0
    for i, layer in enumerate(accepted):
        fast, reference = answers[(i, 'fast')], answers[(i, 'reference')]
        if 'error' in fast or 'error' in reference:
            problem = None if 'error' in fast and 'error' in reference else f"refused by one side: {fast.get('error') or reference.get('error')}"
        elif fast['y']['shape'] != reference['y']['shape']:
            problem = f"shapes {fast['y']['shape']} and {reference['y']['shape']}"
        else:
            apart = difference(fast['y']['data'], reference['y']['data'])
            problem = f'values apart by {apart:.3g} of the largest' if apart > 1e-4 else None
        if problem:
            disagreements += 1
            print(f'{problem}: {json.dumps(layer)}')
    print(f'{len(accepted)} layers accepted of {len(layers)}; {disagreements} disagree', file=sys.stderr)
    sys.exit(1 if disagreements else 0)


if __name__ == '__main__':
    main()
