import ConvArithmetic

/// The `index.html` of a tour: every figure with the relationship it illustrates, its formula, the
/// parameters, the computed sizes and, when given, the numerical check that the formulations agree.
public enum TourIndex {
    /// One figure's entry.
    public struct Entry: Sendable {
        /// The figure.
        public let figure: Tour.Figure
        /// The animated GIF's file name.
        public let gif: String
        /// The animated SVG's file name.
        public let animatedSVG: String
        /// The contact sheet's file name.
        public let sheet: String
        /// Pairs of formulations and their largest relative disagreement, if checked.
        public let checks: [(pair: String, absolute: Float, relative: Float)]

        /// An entry.
        public init(figure: Tour.Figure, gif: String, animatedSVG: String, sheet: String,
                    checks: [(pair: String, absolute: Float, relative: Float)]) {
            self.figure = figure
            self.gif = gif
            self.animatedSVG = animatedSVG
            self.sheet = sheet
            self.checks = checks
        }
    }

    /// The HTML page.
    public static func html(entries: [Entry], matrixSVG: String, matrixCaption: String) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Convolution arithmetic — a tour</title>
            <style>
            * { box-sizing: border-box; }
            body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #14181e; line-height: 1.45; }
            section { border-top: 1px solid #ccd; padding: 1em 0; display: flow-root; }
            figure { float: left; width: 380px; max-width: 100%; margin: 0 1.5em 1em 0; }
            figure img { width: 100%; height: auto; display: block; }
            .matrix { overflow-x: auto; }
            .matrix svg { width: 100%; max-width: 760px; height: auto; }
            table { border-collapse: collapse; font-size: 0.92em; }
            td { overflow-wrap: anywhere; }
            @media (max-width: 640px) { figure { float: none; width: 100%; margin: 0 0 1em 0; } body { margin: 1em auto; } }
            td, th { padding: 2px 8px; text-align: left; vertical-align: top; }
            th { color: #556; font-weight: normal; }
            code { background: #f2f4f8; padding: 0 3px; }
            .agree { color: #17803d; } .disagree { color: #b3261e; font-weight: bold; }
            .source { color: #556; font-size: 0.9em; }
            </style>
            </head>
            <body>
            <h1>Convolution arithmetic — a tour</h1>
            <p>Every figure of the seed write-up of Dumoulin &amp; Visin, <i>A guide to convolution arithmetic for deep
            learning</i> (arXiv:1603.07285), and the convolution, pooling and dilation figures of the paper, drawn from
            the arithmetic by <code>convarith</code>. Input in blue, output in cyan, padding dashed, zeros inserted
            between input units dotted, the kernel as a darker shadow; transposed convolutions are drawn as their
            equivalent stride-1 convolution over the stretched, padded input, output above. The <i>seed</i> is the
            write-up this project starts from: it summarises the paper, numbers the transposed relationships one lower
            (its 7–13 are the paper's 8–14) and leaves pooling and dilation unnumbered, so each relationship is named
            by the seed's number with the paper's beside it. The <i>a</i> extra zeros of a transposed convolution go
            at the end of each axis (bottom and right), as in the paper and every framework. Each figure is an
            animated SVG; the GIF and a sheet of all frames are linked below it.</p>

            """
        html += """
            <section id="matrix-C">
            <h2>The convolution as a matrix C</h2>
            <p class="source">seed Figure 2.3 · paper section 4.1</p>
            <div class="matrix" role="img" aria-label="\(escape(matrixCaption))">\(matrixSVG)</div>
            </section>

            """
        for entry in entries {
            html += section(entry)
        }
        html += "</body>\n</html>\n"
        return html
    }

    private static func section(_ entry: Entry) -> String {
        let figure = entry.figure, shape = figure.shape
        let relationship = shape.relationships.first
        var rows: [(String, String)] = []
        if let relationship {
            rows.append(("relationship", "\(relationship.label) — \(relationship.title)"))
            rows.append(("formula", relationship.formula))
            rows.append(("holds when", relationship.condition))
        }
        rows.append(("parameters", figure.shape.axes.first.map { parameters($0, shape.operation) } ?? ""))
        rows.append(("sizes", "\(shape.name): \(shape.input.map(String.init).joined(separator: "×")) → \(shape.output.map(String.init).joined(separator: "×"))"))
        if let mode = figure.poolingMode { rows.append(("pooling", mode == .max ? "max" : "average")) }
        if let convolution = figure.convolution, let axis = convolution.axes.first {
            rows.append(("transpose of", "the convolution i = \(axis.input), k = \(axis.kernel), s = \(axis.stride), p = \(axis.padding.before) → o = \(axis.output)"))
        }
        if shape.operation == .transposedConvolution, let axis = shape.axes.first, let equivalent = try? axis.equivalentConvolution() {
            rows.append(("equivalent convolution", "stretched input ĩ' = \(equivalent.stretchedInput) (\(equivalent.insertedZeros) zero\(equivalent.insertedZeros == 1 ? "" : "s") between units), k' = \(equivalent.kernel), s' = 1, p' = \(equivalent.padding.before) before, \(equivalent.padding.after) after (a = \(equivalent.outputPadding) at the end)"))
        }
        var html = """
            <section id="\(figure.name)">
            <h2>\(escape(figure.summary))</h2>
            <p class="source">\(escape(figure.source))</p>
            <figure><img src="\(entry.animatedSVG)" alt="\(escape(figure.summary))"><figcaption><a href="\(entry.gif)" download>GIF</a> · <a href="\(entry.sheet)">all frames</a></figcaption></figure>
            <table>

            """
        for (name, value) in rows {
            html += "<tr><th>\(escape(name))</th><td>\(escape(value))</td></tr>\n"
        }
        if !entry.checks.isEmpty {
            html += "<tr><th>numerical check</th><td>"
            html += entry.checks.map { check in
                let agree = check.relative <= 1e-4
                return "\(escape(check.pair)): max |Δ| = \(check.absolute) <span class=\"\(agree ? "agree" : "disagree")\">(\(agree ? "agree" : "DISAGREE"))</span>"
            }.joined(separator: "<br>")
            html += "</td></tr>\n"
        }
        html += "</table>\n</section>\n\n"
        return html
    }

    private static func parameters(_ axis: AxisArithmetic, _ operation: Operation) -> String {
        var text = operation == .transposedConvolution ? "i' = \(axis.input)" : "i = \(axis.input)"
        text += ", k = \(axis.kernel), s = \(axis.stride), p = \(axis.padding.description)"
        if axis.dilation != 1 { text += ", d = \(axis.dilation)" }
        if operation == .transposedConvolution { text += ", a = \(axis.outputPadding)" }
        return text
    }

    static func escape(_ text: String) -> String { SVGWriter.escape(text) }
}
