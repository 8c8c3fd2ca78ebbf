import Foundation

/// The pages' files (the single-layer page at `/`, the network page at `/net`), shipped as package
/// resources and read once.
enum PageFile: CaseIterable {
    case html, script, style, networkHTML, networkScript

    /// The route that serves it.
    var route: String {
        switch self {
        case .html: "/"
        case .script: "/app.js"
        case .style: "/style.css"
        case .networkHTML: "/net"
        case .networkScript: "/net.js"
        }
    }

    var contentType: String {
        switch self {
        case .html, .networkHTML: "text/html; charset=utf-8"
        case .script, .networkScript: "text/javascript; charset=utf-8"
        case .style: "text/css; charset=utf-8"
        }
    }

    private var resource: (name: String, extension: String) {
        switch self {
        case .html: ("index", "html")
        case .script: ("app", "js")
        case .style: ("style", "css")
        case .networkHTML: ("net", "html")
        case .networkScript: ("net", "js")
        }
    }

    /// The file's bytes (`nil` if the resource bundle is missing).
    var bytes: [UInt8]? {
        switch self {
        case .html: Self.htmlBytes
        case .script: Self.scriptBytes
        case .style: Self.styleBytes
        case .networkHTML: Self.networkHTMLBytes
        case .networkScript: Self.networkScriptBytes
        }
    }

    private static let htmlBytes = PageFile.html.load()
    private static let scriptBytes = PageFile.script.load()
    private static let styleBytes = PageFile.style.load()
    private static let networkHTMLBytes = PageFile.networkHTML.load()
    private static let networkScriptBytes = PageFile.networkScript.load()

    private func load() -> [UInt8]? {
        guard let url = Bundle.module.url(forResource: resource.name, withExtension: resource.extension, subdirectory: "Page"),
              let data = try? Data(contentsOf: url) else { return nil }
        return Array(data)
    }
}
