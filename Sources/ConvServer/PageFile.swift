import Foundation

/// The page's files, shipped as package resources and read once.
enum PageFile: CaseIterable {
    case html, script, style

    /// The route that serves it.
    var route: String {
        switch self {
        case .html: "/"
        case .script: "/app.js"
        case .style: "/style.css"
        }
    }

    var contentType: String {
        switch self {
        case .html: "text/html; charset=utf-8"
        case .script: "text/javascript; charset=utf-8"
        case .style: "text/css; charset=utf-8"
        }
    }

    private var resource: (name: String, extension: String) {
        switch self {
        case .html: ("index", "html")
        case .script: ("app", "js")
        case .style: ("style", "css")
        }
    }

    /// The file's bytes (`nil` if the resource bundle is missing).
    var bytes: [UInt8]? {
        switch self {
        case .html: Self.htmlBytes
        case .script: Self.scriptBytes
        case .style: Self.styleBytes
        }
    }

    private static let htmlBytes = PageFile.html.load()
    private static let scriptBytes = PageFile.script.load()
    private static let styleBytes = PageFile.style.load()

    private func load() -> [UInt8]? {
        guard let url = Bundle.module.url(forResource: resource.name, withExtension: resource.extension, subdirectory: "Page"),
              let data = try? Data(contentsOf: url) else { return nil }
        return Array(data)
    }
}
