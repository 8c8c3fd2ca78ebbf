import ConvArithmetic
import ConvEval
import ConvNetReports
import ConvNets

/// The answers about whole networks: the models offered, a network's shape table (as `convarith net
/// --json`, each window layer with the address of its single-layer view), the input sizes it accepts with
/// the repairs of a failing size (as `net --accepted-sizes --json`), and one unit's receptive field.
enum NetworkAnswers {
    /// The most node analyses one `/api/net/solve` may cost (each evaluated size analyses every node once,
    /// per spatial axis and once for a square input): about 20 s on this kind of machine. A larger network
    /// is solved over fewer sizes, and the answer says up to which.
    static let analysisBudget = 1_000_000
    /// The fewest sizes a solve evaluates; a network too large for that is refused with the command to run.
    static let minimumSizes = 64

    /// `/api/net/models`: the examples and the files given on the command line.
    static func models(_ models: ServedModels) -> APIAnswers.Body {
        .json(.object([("models", .array(models.entries.map {
            .object([("name", .string($0.name)), ("origin", .string($0.origin)), ("input", $0.input.map(JSONValue.string) ?? .null)])
        }))]))
    }

    /// `/api/net`: the shape table; each convolution, pooling or transposed convolution carries `view`, the
    /// query of the single-layer page for it.
    static func table(_ network: Network) -> APIAnswers.Body {
        let report = network.analyze()
        return .json(NetworkReportJSON.value(report) { row in
            row.layer.map { [("view", JSONValue.string(LayerView.query($0)))] } ?? []
        })
    }

    /// `/api/net/solve`: per spatial axis of the first input, the sizes the network accepts and the
    /// nearest to the one given; at a failing size, the changes of one layer that repair it.
    static func solve(_ network: Network) throws(NetworkQuery.Invalid) -> APIAnswers.Body {
        guard let shape = network.inputs.first?.shape, shape.count >= 3 else {
            throw NetworkQuery.Invalid(description: "solving needs a first input of shape [N, C, spatial…]")
        }
        // A node's analysis costs about its inputs (a Concat of many reads each): counted so.
        let work = network.nodes.reduce(0) { $0 + max(1, $1.inputs.count) }
        let perSize = max(1, work) * (shape.count - 1)
        let limit = min(1_024, analysisBudget / perSize)
        guard limit >= minimumSizes else {
            throw NetworkQuery.Invalid(description: "this network has \(network.nodes.count) nodes reading \(work) tensors: solving it costs more than the page's budget; run convarith net MODEL --accepted-sizes")
        }
        let report = network.analyze()
        var members: [(key: String, value: JSONValue)] = []
        do {
            let accepted = try network.acceptedSizesOfSpatialAxes(limit: limit)
            members.append(("accepted_sizes", .array(accepted.map {
                NetworkSolveJSON.acceptedSizes($0, given: shape[$0.axis], givenShapeFails: report.status == .failed)
            })))
        } catch {
            // No rule (no period within the limit, no accepted square size): said, and the repairs still given.
            members.append(("accepted_sizes", .array([])))
            members.append(("accepted_sizes_error", .string(error.description)))
        }
        members.append(("status", .string(report.status.rawValue)))
        if let failure = report.firstFailure {
            members.append(("first_failure", .object([("name", .string(failure.name)), ("error", .string(failure.error ?? ""))])))
            members.append(("repairs", .array(network.repairs().map(NetworkSolveJSON.repair))))
        }
        return .json(.object(members))
    }

    /// `/api/net/field?layer=NAME&unit=i,j`: the input positions the unit reads along each spatial axis.
    static func field(_ network: Network, query: NetworkQuery) throws(NetworkQuery.Invalid) -> APIAnswers.Body {
        guard let name = query.values["layer"], !name.isEmpty else { throw NetworkQuery.Invalid(description: "'layer' is required: a row's name") }
        let report = network.analyze()
        guard let row = report.layers.first(where: { $0.name == name }) else {
            let hint = NearestName.among(report.layers.map(\.name), to: name).map { " (is it '\($0)'?)" } ?? ""
            throw NetworkQuery.Invalid(description: "no layer named '\(SafeText.visible(String(name.prefix(100))))'\(hint)")
        }
        guard let output = row.outputShape else {
            let origin = report.origin(of: row)
            throw NetworkQuery.Invalid(description: "\(SafeText.visible(name)) has no shape at this input: "
                + (origin.error ?? origin.note ?? row.error ?? row.note ?? "unknown") + " (at \(SafeText.visible(origin.name)))")
        }
        guard output.count >= 3, let fields = row.receptiveField,
              let input = network.inputs.first?.shape, input.count == output.count, fields.count == input.count - 2 else {
            throw NetworkQuery.Invalid(description: "\(SafeText.visible(name)) has no spatial output with a receptive field in the first input")
        }
        let spatial = Array(output.dropFirst(2))
        let unit = try query.unit() ?? spatial.map { $0 / 2 }
        guard unit.count == spatial.count, zip(unit, spatial).allSatisfy({ $0 < $1 }) else {
            throw NetworkQuery.Invalid(description: "'unit' needs \(spatial.count) coordinates within the output \(spatial.map(String.init).joined(separator: "×"))")
        }
        let axes: [JSONValue] = fields.indices.map { axis in
            let inputSize = input[axis + 2]
            switch fields[axis] {
            case .wholeInput:
                return .object([("whole", .bool(true)), ("inside", .array([.integer(0), .integer(inputSize - 1)])), ("input", .integer(inputSize))])
            case .beyondRange:
                return .object([("beyond_range", .bool(true)), ("input", .integer(inputSize))])
            case .window:
                guard let span = UnitField(field: fields[axis], unit: unit[axis], inputSize: inputSize) else {
                    return .object([("beyond_range", .bool(true)), ("input", .integer(inputSize))])
                }
                return .object([
                    ("first", NetworkReportJSON.number(span.first)), ("last", NetworkReportJSON.number(span.last)),
                    ("inside", span.inside.map { .array([.integer($0.lowerBound), .integer($0.upperBound)]) } ?? .null),
                    ("input", .integer(inputSize)),
                ])
            }
        }
        return .json(.object([("layer", .string(name)), ("unit", NetworkReportJSON.integers(unit)),
                              ("output", NetworkReportJSON.integers(spatial)), ("axes", .array(axes))]))
    }
}
