/// djsec's version: `djsec --version` prints it with the libraries linked
/// in, and reports that name their tool's version (GitLab's
/// secret-detection report) write it.
public enum DjsecVersion {
  public static let current = "0.1.0"

  /// The libraries djsec runs with, as they report themselves (a static
  /// binary carries its own; a dynamic one the system's).
  public static var libraries: String {
    "libsodium \(Sodium.libraryVersion), Hyperscan \(HyperscanDatabase.libraryVersion)"
  }
}
