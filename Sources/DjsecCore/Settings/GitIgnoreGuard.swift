/// Keeps generated secret files out of version control by adding patterns to
/// a project's .gitignore.
public enum GitIgnoreGuard {
  public static let header = "# Secrets written by djsec: never commit them"

  /// The patterns djsec needs ignored, relative to the .gitignore's folder.
  public static func patterns(localSettings relativePath: String) -> [String] {
    [localSettingsPattern(relativePath), "/keys/*", "!/keys/README.md", "!/keys/.gitignore", "!/keys/*.pub", temporaryPattern]
  }

  /// The temporary files of djsec's writes (AtomicFile), in every folder (no
  /// slash, so it is not anchored): a killed write leaves one, and one of
  /// local_settings.py holds every secret in clear.
  public static let temporaryPattern = ".*\(AtomicFile.temporaryMarker)*"

  /// The pattern that ignores local_settings.py, anchored at the .gitignore's folder.
  public static func localSettingsPattern(_ relativePath: String) -> String { "/" + relativePath }

  /// The patterns `update` would append: those not already a line of `existing`.
  public static func missing(_ patterns: [String], in existing: String?) -> [String] {
    let present = Set((existing ?? "").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
    return patterns.filter { !present.contains($0) }
  }

  /// The .gitignore text with any missing patterns appended, or nil when all are there.
  public static func update(_ existing: String?, adding patterns: [String]) -> String? {
    let text = existing ?? ""
    let present = Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
    let missing = missing(patterns, in: existing)
    guard !missing.isEmpty else { return nil }
    var out = text
    if !out.isEmpty && !out.hasSuffix("\n") { out += "\n" }
    if !out.isEmpty { out += "\n" }
    if !present.contains(header) { out += header + "\n" }
    out += missing.joined(separator: "\n") + "\n"
    return out
  }
}
