import Foundation

/// STATIC_ROOT and MEDIA_ROOT are outside the code folder, and no web server
/// serves a folder inside it: collected static files and, worse, user
/// uploads served from inside the project mean the server's folder sits in
/// the code's, one misplaced `alias` or upload away from handing it out.
struct StaticMediaCheck: Check {
  let id = "layout.static-media"
  let title = "STATIC_ROOT, MEDIA_ROOT and served folders are outside the code"
  let reference = "OWASP A05:2021 Security Misconfiguration; ASVS 4.0 12.4.1"

  func run(_ c: AuditContext) -> CheckOutcome {
    let roots = ["STATIC_ROOT", "MEDIA_ROOT"].compactMap { name -> (name: String, url: URL, file: URL)? in
      guard let entry = c.settings[name], case .string(let path) = entry.value, !path.isEmpty else { return nil }
      let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : c.root.appendingPathComponent(path)
      return (name, url.standardizedFileURL, entry.file)
    }
    let served = c.served
    guard !roots.isEmpty || served != nil else {
      return .notApplicable("neither STATIC_ROOT nor MEDIA_ROOT is a literal path, and no web server configuration was read")
    }
    let fix = "keep them in a public/ folder outside the code ('djsec init --web-root /srv/PROJECT/public' sets them)"
    var found: [AuditFinding] = []
    for root in roots where ServedFolders.isInside(root.url, folder: c.root) {
      let media = root.name == "MEDIA_ROOT"
      found.append(
        AuditFinding(
          check: id, severity: media ? .high : .medium,
          message: "\(root.name) (\(c.relative(root.url))) is inside the code folder"
            + (media ? ": uploads are stored and served from inside the code" : ""),
          fix: fix, path: c.relative(root.file)))
    }
    let media = roots.first { $0.name == "MEDIA_ROOT" }?.url
    // A served folder that holds the code itself is layout.document-root's finding.
    let code = DocumentRootCheck().targets(c).map(\.url)
    for folder in served?.folders ?? [] where ServedFolders.isInside(folder.url, folder: c.root) && !code.contains(where: folder.contains) {
      let uploads = media.map { folder.contains($0) || ServedFolders.isInside(folder.url, folder: $0) } ?? false
      found.append(
        AuditFinding(
          check: id, severity: uploads ? .high : .medium, message: "\(folder.described) serves a folder inside the code",
          fix: "serve static and media files from a public/ folder outside the code: see \(folder.server.template)",
          path: c.relative(folder.directive.file), line: folder.directive.line))
    }
    return found.isEmpty ? .passed : .failed(found)
  }
}
