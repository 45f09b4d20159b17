import Foundation

/// No plaintext copy lies beside local_settings.py or the store: a
/// temporary file a killed writer left, or an editor's backup
/// (`local_settings.py~`, `.bak`, `.orig`, `.swp`), holds the same secrets
/// without the ignore rule or the mode that protect the original.
struct LeftoverFilesCheck: Check {
  let id = "secrets.leftover-files"
  let title = "No temporary file or backup of the secrets lies beside them"
  let reference = "OWASP A05:2021 Security Misconfiguration; ASVS 8.3.6"

  static let backupSuffixes = ["~", ".bak", ".orig", ".old", ".swp", ".swo", ".save", ".tmp"]

  func run(_ c: AuditContext) -> CheckOutcome {
    var folders: [URL] = c.stores.map { $0.file.deletingLastPathComponent() }
    var guarded: [String] = c.stores.map { $0.file.lastPathComponent }
    if let file = c.project?.localSettingsFile {
      folders.append(file.deletingLastPathComponent())
      guarded.append(file.lastPathComponent)
    }
    guard !guarded.isEmpty else { return .notApplicable("no local_settings.py and no store") }
    var seen = Set<String>()
    var leftovers: [URL] = []
    for folder in folders where seen.insert(folder.standardizedFileURL.path).inserted {
      leftovers += AtomicFile.staleTemporaryFiles(in: folder)
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
      for name in names.sorted() where guarded.contains(where: { g in Self.isBackup(name, of: g) }) {
        leftovers.append(folder.appendingPathComponent(name))
      }
    }
    guard !leftovers.isEmpty else { return .passed }
    return .failed(
      leftovers.map { url in
        AuditFinding(
          check: id, severity: .medium, message: "\(c.relative(url)) may hold the secrets in plaintext",
          fix: "look at it, then remove it: rm \(c.relative(url))", path: c.relative(url))
      })
  }

  /// `local_settings.py~`, `local_settings.py.bak`, `.local_settings.py.swp`, `#local_settings.py#`.
  static func isBackup(_ name: String, of original: String) -> Bool {
    if name == "#\(original)#" { return true }
    let base = name.hasPrefix(".") && name.hasSuffix(".swp") ? String(name.dropFirst()) : name
    return backupSuffixes.contains { base == original + $0 }
  }
}
